// The weight kernels alone (engine/quantize/kernels/arithmetic.ts): int4 blocks and int8 channels within their
// quantization step of the float weights, zero points and padding, and results written into arrays the caller gives
// (the methods reuse them weight after weight). The methods end to end are in weight-methods.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dequantizeInt4, dequantizeInt8, quantizeInt4, quantizeInt8 } from "../../engine/quantize/kernels/arithmetic";
import { maxAbsDiff, randn } from "./helpers";

void test("int4 kernel: every weight is within one step of its block's scale (a quarter on average), and padding past K holds the zero point", () => {
  const k = 80; // not a multiple of 32: the last block is padded
  const n = 5;
  const w = randn(k * n, 3);
  for (const symmetric of [true, false]) {
    const q = quantizeInt4(w, k, n, { blockSize: 32, symmetric });
    assert.equal(q.kBlocks, 3);
    assert.equal(q.packed.length, n * 3 * 16);
    const back = dequantizeInt4(q, k, n, 32);
    let errorInSteps = 0;
    for (let r = 0; r < k; r++)
      for (let c = 0; c < n; c++) {
        const scale = Math.abs(q.scales[c * 3 + Math.floor(r / 32)]);
        const error = Math.abs(back[r * n + c] - w[r * n + c]);
        assert.ok(error <= scale + 1e-6, `element ${r},${c}`);
        errorInSteps += error / scale;
      }
    assert.ok(errorInSteps / (k * n) < 0.3, `mean error ${errorInSteps / (k * n)} steps`);
    // Rows 80…95 of the last block are padding: their nibbles hold the zero point (8 when symmetric).
    if (symmetric)
      for (let c = 0; c < n; c++)
        assert.deepEqual([...q.packed.subarray((c * 3 + 2) * 16 + 8, (c * 3 + 3) * 16)], new Array(8).fill(0x88));
  }
});

void test("int8 kernel: per-channel columns, symmetric int8 has zero point 0 and uint8 128; dequantized error is at most half a step", () => {
  const w = randn(40 * 6, 4);
  for (const type of ["int8", "uint8"] as const) {
    const q = quantizeInt8(w, 40, 6, { channelAxis: "cols", symmetric: true, type });
    assert.equal(q.scales.length, 6);
    assert.deepEqual([...q.zeroPoints], new Array(6).fill(type === "int8" ? 0 : 128));
    const back = dequantizeInt8(q, 40, 6, "cols");
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(back[i] - w[i]) <= q.scales[i % 6] / 2 + 1e-6);
  }
  const asym = quantizeInt8(w, 40, 6, { channelAxis: "none", symmetric: false, type: "uint8" });
  const back = dequantizeInt8(asym, 40, 6, "none");
  assert.ok(maxAbsDiff(back, w) <= asym.scales[0] / 2 + 1e-6);
});

void test("int8 kernel into a given array: the same values in a view of it; an array of the wrong kind or too short is left alone", () => {
  const w = randn(64 * 48, 5);
  const expected = quantizeInt8(w, 64, 48, { channelAxis: "cols", symmetric: true, type: "int8" });
  const into = new Int8Array(64 * 48 + 100).fill(7);
  const q = quantizeInt8(w, 64, 48, { channelAxis: "cols", symmetric: true, type: "int8", into });
  assert.equal(q.data.buffer, into.buffer, "written into the given array");
  assert.equal(q.data.length, 64 * 48);
  assert.deepEqual([...q.data], [...expected.data]);
  assert.deepEqual([...into.subarray(64 * 48)], new Array(100).fill(7), "nothing past rows × cols");
  const again = quantizeInt8(randn(64 * 48, 6), 64, 48, { channelAxis: "cols", symmetric: true, type: "int8", into });
  assert.equal(again.data.buffer, into.buffer, "reused by the next call");
  for (const wrong of [new Uint8Array(64 * 48), new Int8Array(64 * 48 - 1)]) {
    const r = quantizeInt8(w, 64, 48, { channelAxis: "cols", symmetric: true, type: "int8", into: wrong });
    assert.notEqual(r.data.buffer, wrong.buffer);
    assert.deepEqual([...r.data], [...expected.data]);
  }
});

void test("int4 kernel into given arrays: the same blocks and scales in views of them; arrays too short are left alone", () => {
  const [k, n] = [96, 40];
  const w = randn(k * n, 8);
  for (const symmetric of [true, false]) {
    const expected = quantizeInt4(w, k, n, { blockSize: 32, symmetric });
    const into = { packed: new Uint8Array(n * 3 * 16 + 5).fill(9), scales: new Float32Array(n * 3 + 2).fill(9) };
    const q = quantizeInt4(w, k, n, { blockSize: 32, symmetric, into });
    assert.equal(q.packed.buffer, into.packed.buffer);
    assert.equal(q.scales.buffer, into.scales.buffer);
    assert.deepEqual([...q.packed], [...expected.packed]);
    assert.deepEqual([...q.scales], [...expected.scales]);
    assert.deepEqual([...into.packed.subarray(n * 3 * 16)], new Array(5).fill(9));
    const short = { packed: new Uint8Array(n * 3 * 16 - 1), scales: new Float32Array(n * 3) };
    const r = quantizeInt4(w, k, n, { blockSize: 32, symmetric, into: short });
    assert.notEqual(r.packed.buffer, short.packed.buffer);
    assert.deepEqual([...r.packed], [...expected.packed]);
  }
});
