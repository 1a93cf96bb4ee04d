// The weight quantization kernels: the WebAssembly SIMD path gives the same bytes as the JS reference on varied shapes
// (ties, zeros, negative peaks, K not a multiple of the block, NaN and infinities), rounding is nearest-even of the
// float32 product, dequantized errors stay within half a step, and the committed wasm bytes match kernels.wat.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  dequantizeInt4,
  dequantizeInt8,
  type Int8Options,
  quantizeInt4,
  quantizeInt4Rows,
  quantizeInt8,
} from "../../engine/quantize/kernels/arithmetic";
import { wasmQuantizeInt4Rows, wasmQuantizeInt4Symmetric } from "../../engine/quantize/kernels/wasm/int4-wasm";
import {
  PARALLEL_MIN_ELEMENTS,
  setHelperThreadMode,
  waitForHelperThread,
} from "../../engine/quantize/kernels/wasm/helper-thread";
import { wasmChannelRanges } from "../../engine/quantize/kernels/wasm/int8-wasm";
import { kernelsSharedWasmBase64, kernelsWasmBase64 } from "../../engine/quantize/kernels/wasm/kernels-wasm.generated";
import { wasmKernels } from "../../engine/quantize/kernels/wasm/load-kernels";
import { assembleKernels, generatedFile, generatedSource } from "../../scripts/build-wasm";
import { withWasm } from "./helpers";

/** Deterministic weights: uniform noise with a per-column spread, exact zeros, exact ties and a few negative peaks. */
function weights(rows: number, cols: number, seed: number): Float32Array {
  const w = new Float32Array(rows * cols);
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < w.length; i++) w[i] = (next() - 0.5) * (1 + (i % cols) / 3);
  for (let i = 0; i < w.length; i++) {
    const u = next();
    if (u < 0.05) w[i] = 0;
    else if (u < 0.15)
      w[i] = (Math.floor(next() * 16) - 8 + 0.5) / 16; // k + ½ sixteenths: ties for power-of-two scales
    else if (u < 0.17) w[i] = -3 - next(); // a negative peak in some columns and blocks
  }
  return w;
}

/** Runs f with the WebAssembly kernels and with the JS reference. */
function both<T>(f: () => T): { wasm: T; js: T } {
  return { wasm: withWasm(true, f), js: withWasm(false, f) };
}

function assertSameBytes(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined, what: string): void {
  assert.ok(a && b, `${what}: missing`);
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} is ${a[i]} with wasm, ${b[i]} with JS`);
  }
}

void test("the committed kernels-wasm.generated.ts is what kernels.wat assembles to", async () => {
  const own = await assembleKernels();
  const shared = await assembleKernels(undefined, true);
  const stale = "kernels-wasm.generated.ts is stale: run `node --import tsx scripts/build-wasm.ts`";
  assert.deepEqual(Buffer.from(kernelsWasmBase64, "base64"), Buffer.from(own), stale);
  assert.deepEqual(Buffer.from(kernelsSharedWasmBase64, "base64"), Buffer.from(shared), stale);
  assert.equal(readFileSync(generatedFile, "utf8"), generatedSource(own, shared), stale);
  assert.ok(wasmKernels(), "the WebAssembly SIMD kernels do not load in this Node");
});

void test("int8 kernels: wasm and JS give identical data, scales and zero points on varied shapes and options", () => {
  const shapes: [number, number][] = [
    [1, 1],
    [3, 5],
    [40, 6],
    [64, 96],
    [100, 37],
    [7, 300],
    [33, 16],
    [130, 1000],
    [2, 70000],
  ];
  let covered = 0;
  for (const [rows, cols] of shapes) {
    const w = weights(rows, cols, rows * 131 + cols);
    for (const channelAxis of ["cols", "rows", "none"] as const) {
      if (wasmChannelRanges(w, rows, cols, channelAxis)) covered++;
      for (const type of ["int8", "uint8"] as const) {
        for (const symmetric of [true, false]) {
          for (const reduceRange of [false, true]) {
            const options: Int8Options = { channelAxis, symmetric, type, reduceRange };
            const { wasm, js } = both(() => quantizeInt8(w, rows, cols, options));
            const what = `[${rows}, ${cols}] ${JSON.stringify(options)}`;
            assertSameBytes(wasm.data, js.data, `${what} data`);
            assertSameBytes(wasm.scales, js.scales, `${what} scales`);
            assertSameBytes(wasm.zeroPoints, js.zeroPoints, `${what} zero points`);
          }
        }
      }
    }
  }
  assert.ok(covered >= 20, `the wasm path covered only ${covered} of the cases`);
});

void test("int4 MatMulNBits kernel: wasm and JS give identical blocks and scales, K not a multiple of the block included", () => {
  const cases: [number, number, number][] = [
    [32, 16, 32],
    [64, 96, 32],
    [100, 37, 32],
    [200, 17, 64],
    [33, 1, 32],
    [300, 50, 128],
    [129, 130, 32],
    [512, 2100, 32],
    [96, 40, 16],
  ];
  for (const [k, n, blockSize] of cases) {
    const w = weights(k, n, k * 7 + n);
    if (blockSize % 32 === 0)
      assert.ok(
        withWasm(true, () => wasmQuantizeInt4Symmetric(w, k, n, blockSize)),
        `wasm did not cover [${k}, ${n}] block ${blockSize}`,
      );
    for (const symmetric of [true, false]) {
      const { wasm, js } = both(() => quantizeInt4(w, k, n, { blockSize, symmetric }));
      const what = `[${k}, ${n}] block ${blockSize} ${symmetric ? "symmetric" : "asymmetric"}`;
      assert.equal(wasm.kBlocks, Math.ceil(k / blockSize));
      assertSameBytes(wasm.packed, js.packed, `${what} packed`);
      assertSameBytes(wasm.scales, js.scales, `${what} scales`);
      if (!symmetric) assertSameBytes(wasm.zeroPoints, js.zeroPoints, `${what} zero points`);
    }
  }
});

void test("int4 MatMulNBits kernel split with the helper thread gives the bytes of the JS reference", () => {
  assert.ok(waitForHelperThread(10_000), "the helper thread did not start");
  const before = setHelperThreadMode("always");
  try {
    for (const [k, n] of [
      [1000, 1100],
      [1024, 1024],
      [2048, 520],
    ] as const) {
      assert.ok(k * n >= PARALLEL_MIN_ELEMENTS);
      const w = weights(k, n, k + n);
      const { wasm, js } = both(() => quantizeInt4(w, k, n, { blockSize: 32, symmetric: true }));
      assertSameBytes(wasm.packed, js.packed, `[${k}, ${n}] packed`);
      assertSameBytes(wasm.scales, js.scales, `[${k}, ${n}] scales`);
    }
  } finally {
    setHelperThreadMode(before);
  }
});

void test("int4 embedding-row kernel: wasm and JS give identical blocks and scales", () => {
  for (const [rows, cols, blockSize] of [
    [10, 64, 16],
    [7, 96, 32],
    [3, 256, 128],
    [1000, 64, 32],
    [5, 64, 64],
  ] as const) {
    const w = weights(rows, cols, rows + cols * 3);
    assert.ok(
      withWasm(true, () => wasmQuantizeInt4Rows(w, rows, cols, blockSize)),
      `wasm did not cover [${rows}, ${cols}] block ${blockSize}`,
    );
    const { wasm, js } = both(() => quantizeInt4Rows(w, rows, cols, blockSize));
    assertSameBytes(wasm.packed, js.packed, `[${rows}, ${cols}] block ${blockSize} packed`);
    assertSameBytes(wasm.scales, js.scales, `[${rows}, ${cols}] block ${blockSize} scales`);
  }
});

void test("rounding is to the nearest integer with ties to even, in both paths", () => {
  // Peak 127/16 gives scale 1/16 exactly, so w = (k + ½)/16 lands on ties: 2.5 → 2, 3.5 → 4, −2.5 → −2, 0.5 → 0.
  const w = new Float32Array([127 / 16, 2.5 / 16, 3.5 / 16, -2.5 / 16, 0.5 / 16, -0.5 / 16, 1.5 / 16, 0]);
  for (const on of [true, false]) {
    const q = withWasm(on, () => quantizeInt8(w, 1, w.length, { channelAxis: "none", symmetric: true, type: "int8" }));
    assert.equal(q.scales[0], 1 / 16);
    assert.deepEqual([...q.data], [127, 2, 4, -2, 0, 0, 2, 0]);
    const u = withWasm(on, () => quantizeInt8(w, 1, w.length, { channelAxis: "none", symmetric: true, type: "uint8" }));
    assert.deepEqual([...u.data], [255, 130, 132, 126, 128, 128, 130, 128]);
  }
  // 4-bit rows: the peak −1 maps to −8 (scale 1/8), 31/32 (7.75 steps) rounds to 8 and is clamped to 15, 0.5/8
  // rounds to 8 + 0, 1.5/8 to 8 + 2, −2.5/8 to 8 − 2. (A tie in magnitude, −1 and 1, would pick the positive peak.)
  const r = new Float32Array(16).fill(0);
  r.set([-1, 31 / 32, 0.5 / 8, 1.5 / 8, -2.5 / 8]);
  for (const on of [true, false]) {
    const q = withWasm(on, () => quantizeInt4Rows(r, 1, 16, 16));
    assert.equal(q.scales[0], 0.125);
    assert.deepEqual([...q.packed.subarray(0, 3)], [0 | (15 << 4), 8 | (10 << 4), 6 | (8 << 4)]);
  }
});

void test("dequantized weights stay within half a step of the originals (one step where 4-bit clamps the +8 side)", () => {
  const [rows, cols] = [96, 130];
  const w = weights(rows, cols, 5);
  for (const channelAxis of ["cols", "rows"] as const) {
    const q = quantizeInt8(w, rows, cols, { channelAxis, symmetric: true, type: "int8" });
    const back = dequantizeInt8(q, rows, cols, channelAxis);
    for (let i = 0; i < w.length; i++) {
      const scale = q.scales[channelAxis === "rows" ? Math.floor(i / cols) : i % cols];
      assert.ok(
        Math.abs(back[i] - w[i]) <= scale * 0.5 * (1 + 1e-5),
        `int8 ${channelAxis} element ${i}: ${w[i]} came back as ${back[i]}`,
      );
    }
  }
  const q4 = quantizeInt4(w, rows, cols, { blockSize: 32, symmetric: true });
  const back4 = dequantizeInt4(q4, rows, cols, 32);
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    const [r, c] = [Math.floor(i / cols), i % cols];
    const scale = Math.abs(q4.scales[c * q4.kBlocks + Math.floor(r / 32)]);
    const err = Math.abs(back4[i] - w[i]);
    assert.ok(err <= scale * (1 + 1e-5), `int4 element ${i}: ${w[i]} came back as ${back4[i]}`);
    sum += err / scale;
  }
  assert.ok(sum / w.length < 0.3, `mean int4 error ${sum / w.length} steps`);
});

void test("NaN and infinities: both paths agree (the wasm path hands NaN to JS) and infinities are refused", () => {
  const w = weights(64, 48, 9);
  w[5 * 48 + 3] = NaN;
  for (const channelAxis of ["cols", "rows", "none"] as const) {
    const { wasm, js } = both(() => quantizeInt8(w, 64, 48, { channelAxis, symmetric: true, type: "uint8" }));
    assertSameBytes(wasm.data, js.data, `NaN ${channelAxis}`);
  }
  const q4 = both(() => quantizeInt4(w, 64, 48, { blockSize: 32, symmetric: true }));
  assertSameBytes(q4.wasm.packed, q4.js.packed, "NaN int4");
  w[5 * 48 + 3] = Infinity;
  for (const on of [true, false]) {
    assert.throws(
      () => withWasm(on, () => quantizeInt8(w, 64, 48, { channelAxis: "cols", symmetric: true, type: "int8" })),
      RangeError,
    );
    assert.throws(() => withWasm(on, () => quantizeInt4(w, 64, 48, { blockSize: 32, symmetric: true })), RangeError);
  }
});
