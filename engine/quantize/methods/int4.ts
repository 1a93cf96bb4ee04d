// int4-weight-only: every MatMul whose B is a constant [K, N] float matrix becomes onnxruntime's MatMulNBits
// (com.microsoft): 4-bit weights in blocks of `block_size` along K, a float32 scale per block, zero points only for
// asymmetric blocks. Activations stay float; accuracy_level picks the compute type (4: int8, fastest on CPU).
import { type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import { readFloatTensor, bytesOfView } from "../graph/tensor-store";
import { attr, countUses, findConstant, makeNode, requireOpset, scopes } from "../graph/edit";
import { addInitializer, checkAborted, kernelOutput, nodeName, type QuantizeContext, selected } from "../graph/context";
import { quantizeInt4, quantizeInt4Rows } from "../kernels/arithmetic";
import { constantWeight, skip } from "../graph/weights";

export const MS_DOMAIN = "com.microsoft";

export async function quantizeInt4WeightOnly(ctx: QuantizeContext): Promise<void> {
  const blockSize = ctx.options.blockSize ?? 32;
  const symmetric = ctx.options.symmetric ?? true;
  const accuracyLevel = ctx.options.accuracyLevel ?? 4;
  const work = [...scopes(ctx.model.proto)].flatMap((scope) =>
    scope.graph.node
      .map((node, index) => ({ scope, node, index }))
      .filter(({ node }) => node.opType === "MatMul" && (node.domain === "" || node.domain === "ai.onnx")),
  );
  let done = 0;
  const made = new Set<NodeProto>();
  for (const { scope, node, index } of work) {
    checkAborted(ctx);
    ctx.onProgress?.({ done: done++, total: work.length, tensor: node.input[1] });
    if (!selected(ctx, node, index)) continue;
    const weight = constantWeight(scope, node, 1);
    if (!weight.ok) {
      skip(ctx, node, index, weight.reason);
      continue;
    }
    if (weight.dims.length !== 2) {
      skip(ctx, node, index, `its weight has rank ${weight.dims.length}; MatMulNBits takes a 2-D [K, N] weight`);
      continue;
    }
    const [k, n] = weight.dims;
    if (k < 16 || n < 1) {
      skip(ctx, node, index, `its weight [${k}, ${n}] is too small to gain from 4-bit blocks`);
      continue;
    }
    const key = `int4:${weight.ref.tensor.name}:${blockSize}:${symmetric}`;
    let names = ctx.weightCache.get(key);
    if (!names) {
      const values = await readFloatTensor(ctx.model, weight.ref.tensor, nodeName(node, index), { staged: true });
      let q;
      try {
        const kBlocks = Math.ceil(k / blockSize);
        q = quantizeInt4(values, k, n, {
          blockSize,
          symmetric,
          into: {
            packed: kernelOutput(ctx, "int4-packed", Uint8Array, (n * kBlocks * blockSize) / 2),
            scales: kernelOutput(ctx, "int4-scales", Float32Array, n * kBlocks),
          },
        });
      } catch (e) {
        skip(ctx, node, index, `its weight "${weight.ref.tensor.name}" cannot be quantized: ${(e as Error).message}`);
        continue;
      }
      const base = weight.ref.tensor.name;
      const packedName = ctx.names.fresh(`${base}_Q4`);
      const scalesName = ctx.names.fresh(`${base}_scales`);
      addInitializer(weight.ref, await ctx.store.make(packedName, DT.UINT8, [n, q.kBlocks, blockSize / 2], q.packed));
      addInitializer(weight.ref, await ctx.store.make(scalesName, DT.FLOAT, [n * q.kBlocks], bytesOfView(q.scales)));
      names = [packedName, scalesName];
      if (q.zeroPoints) {
        const zpName = ctx.names.fresh(`${base}_zp`);
        addInitializer(weight.ref, await ctx.store.make(zpName, DT.UINT8, [q.zeroPoints.length], q.zeroPoints));
        names.push(zpName);
      }
      ctx.weightCache.set(key, names);
      ctx.weightCount++;
    }
    ctx.replaced.add(weight.ref.tensor.name);
    const replacement = makeNode(
      "MatMulNBits",
      [node.input[0], ...names],
      [node.output[0]],
      node.name || ctx.names.fresh(`${node.output[0]}_MatMulNBits`),
      [
        attr("K", k),
        attr("N", n),
        attr("bits", 4),
        attr("block_size", blockSize),
        attr("accuracy_level", accuracyLevel),
      ],
      MS_DOMAIN,
    );
    scope.graph.node[index] = replacement;
    made.add(replacement);
    ctx.quantized.push({ node: nodeName(node, index), opType: "MatMul", output: node.output[0] });
  }
  foldBiases(ctx, made);
  if (ctx.options.quantizeEmbedding) await quantizeEmbeddings(ctx, blockSize, symmetric);
  if (ctx.quantized.length > 0) requireOpset(ctx.model.proto, MS_DOMAIN, 1);
}

/**
 * A MatMulNBits whose only reader is an Add of a constant [N] bias takes the bias as its own input (index 5), one
 * node fewer per projection; the fused node then writes the Add's output tensor (comparable with the float model's).
 */
function foldBiases(ctx: QuantizeContext, made: Set<NodeProto>): void {
  const uses = countUses(ctx.model.proto);
  for (const scope of scopes(ctx.model.proto)) {
    const readers = new Map<string, number[]>();
    scope.graph.node.forEach((n, i) => {
      for (const input of n.input) if (input) readers.set(input, [...(readers.get(input) ?? []), i]);
    });
    const dropped = new Set<number>();
    for (const node of scope.graph.node) {
      if (!made.has(node)) continue;
      const out = node.output[0];
      const reader = readers.get(out);
      if (uses.get(out) !== 1 || reader?.length !== 1) continue;
      const add = scope.graph.node[reader[0]];
      if (add.opType !== "Add" || !(add.domain === "" || add.domain === "ai.onnx") || add.input.length !== 2) continue;
      const biasName = add.input[0] === out ? add.input[1] : add.input[0];
      const bias = findConstant(scope, biasName);
      const n = Number(node.attribute.find((a) => a.name === "N")?.i ?? -1);
      if (
        !bias ||
        bias.tensor.dataType !== DT.FLOAT ||
        bias.tensor.dims.length !== 1 ||
        Number(bias.tensor.dims[0]) !== n
      )
        continue;
      node.input = [node.input[0], node.input[1], node.input[2], node.input[3] ?? "", "", biasName];
      node.output = [add.output[0]];
      dropped.add(reader[0]);
      const entry = ctx.quantized.find((q) => q.output === out);
      if (entry) entry.output = add.output[0];
    }
    if (dropped.size) scope.graph.node = scope.graph.node.filter((_, i) => !dropped.has(i));
  }
}

/** Gathers from a constant [vocab, hidden] table (embeddings) become GatherBlockQuantized with 4-bit rows. */
async function quantizeEmbeddings(ctx: QuantizeContext, blockSize: number, symmetric: boolean): Promise<void> {
  for (const scope of scopes(ctx.model.proto)) {
    for (let index = 0; index < scope.graph.node.length; index++) {
      const node = scope.graph.node[index];
      if (node.opType !== "Gather" || !(node.domain === "" || node.domain === "ai.onnx") || !selected(ctx, node, index))
        continue;
      checkAborted(ctx);
      const weight = constantWeight(scope, node, 0);
      if (!weight.ok) continue; // a Gather over computed data (shapes, indices) is not an embedding
      const axis = node.attribute.find((a) => a.name === "axis");
      if (weight.dims.length !== 2 || (axis && Number(axis.i) !== 0)) {
        skip(ctx, node, index, "only a Gather of rows (axis 0) from a 2-D table is quantized to 4 bits");
        continue;
      }
      const [rows, cols] = weight.dims;
      if (cols % blockSize !== 0) {
        skip(ctx, node, index, `its table's rows (${cols} wide) are not a multiple of the block size ${blockSize}`);
        continue;
      }
      if (!symmetric)
        ctx.warnings.push(
          `${nodeName(node, index)}: embedding tables are quantized symmetrically (GatherBlockQuantized's default zero point)`,
        );
      const key = `int4-rows:${weight.ref.tensor.name}:${blockSize}`;
      let names = ctx.weightCache.get(key);
      if (!names) {
        const values = await readFloatTensor(ctx.model, weight.ref.tensor, nodeName(node, index), { staged: true });
        const q = quantizeInt4Rows(values, rows, cols, blockSize);
        const base = weight.ref.tensor.name;
        const packedName = ctx.names.fresh(`${base}_Q4`);
        const scalesName = ctx.names.fresh(`${base}_scales`);
        addInitializer(weight.ref, await ctx.store.make(packedName, DT.UINT8, [rows, cols / 2], q.packed));
        addInitializer(
          weight.ref,
          await ctx.store.make(scalesName, DT.FLOAT, [rows, cols / blockSize], bytesOfView(q.scales)),
        );
        names = [packedName, scalesName];
        ctx.weightCache.set(key, names);
        ctx.weightCount++;
      }
      ctx.replaced.add(weight.ref.tensor.name);
      scope.graph.node[index] = makeNode(
        "GatherBlockQuantized",
        [names[0], node.input[1], names[1]],
        [node.output[0]],
        node.name || ctx.names.fresh(`${node.output[0]}_GatherBlockQuantized`),
        [attr("gather_axis", 0), attr("quantize_axis", 1), attr("block_size", blockSize), attr("bits", 4)],
        MS_DOMAIN,
      );
      ctx.quantized.push({ node: nodeName(node, index), opType: "Gather", output: node.output[0] });
    }
  }
}
