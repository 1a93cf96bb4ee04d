// Kernel calls shared with the helper thread (engine/quantize/kernels/wasm/helper-thread.ts share()): the bands of
// rows an 8-bit pass splits into cover every row once (row counts that are not a multiple of the band, one row, many
// narrow rows); staged weights large enough to be shared give the JS reference's bytes with the helper and without
// (8-bit per column; 4-bit read in place and copied band by band into each thread's slot);
// and a helper that stops in the middle of a unit (as when it is descheduled on a busy core) neither holds the call
// nor spoils the next one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { quantizeInt4, quantizeInt8, type Int8Options, stageWeight } from "../../engine/quantize/kernels/arithmetic";
import {
  helperInJobForTests,
  helperThread,
  PARALLEL_MIN_ELEMENTS,
  pauseHelperForTests,
  setHelperThreadMode,
  waitForHelperThread,
} from "../../engine/quantize/kernels/wasm/helper-thread";
import { rowBands } from "../../engine/quantize/kernels/wasm/int8-wasm";
import { MAX_SHARED_UNITS } from "../../engine/quantize/kernels/wasm/load-kernels";
import { randn, withWasm } from "./helpers";

function assertSameBytes(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined, what: string): void {
  assert.ok(a && b, `${what}: missing`);
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} is ${a[i]} shared, ${b[i]} with the JS reference`);
  }
}

/** A copy of `w` staged in the kernels' memory (asserting that staging is available). */
function staged(w: Float32Array): Float32Array {
  const s = stageWeight(w.length);
  assert.ok(s, "stageWeight gave no array: the kernels' shared memory is unavailable");
  s.set(w);
  return s;
}

function withMode<T>(mode: "always" | "never", f: () => T): T {
  const before = setHelperThreadMode(mode);
  try {
    return f();
  } finally {
    setHelperThreadMode(before);
  }
}

void test("the bands of rows of a shared pass cover every row once, within the unit limit", () => {
  for (const [rows, cols] of [
    [4096, 4096],
    [1000, 1040],
    [4099, 256],
    [1, 1 << 20],
    [100_003, 16],
    [3_000_000, 16],
  ] as const) {
    const { rowsPer, units } = rowBands(rows, cols);
    assert.ok(units <= MAX_SHARED_UNITS, `[${rows}, ${cols}]: ${units} units`);
    assert.ok(rowsPer >= 1);
    assert.ok((units - 1) * rowsPer < rows && units * rowsPer >= rows, `[${rows}, ${cols}]: bands miss or add rows`);
  }
  assert.equal(rowBands(4096, 4096).rowsPer, 8, "a band of a 4096-column weight is 8 rows (128 KB)");
});

void test("int8 per column on large staged weights: the bytes of the JS reference, shared with the helper and alone", () => {
  assert.ok(waitForHelperThread(10_000), "the helper thread did not start");
  // Rows not a multiple of the band (1025 and 4099 rows in bands of 15 and 64), one row, narrow columns.
  for (const [rows, cols] of [
    [1025, 1040],
    [4099, 256],
    [1, 1 << 20],
    [70_001, 16],
  ] as const) {
    assert.ok(rows * cols >= PARALLEL_MIN_ELEMENTS);
    const w = randn(rows * cols, rows + cols, 0.3);
    w[(rows - 1) * cols + 5] = -4; // the peak of a column in the last, shorter band
    w[7] = 3.5;
    for (const options of [
      { channelAxis: "cols", symmetric: true, type: "int8" },
      { channelAxis: "cols", symmetric: false, type: "uint8" },
    ] satisfies Int8Options[]) {
      const js = withWasm(false, () => quantizeInt8(w, rows, cols, options));
      for (const mode of ["always", "never"] as const) {
        const what = `[${rows}, ${cols}] ${options.type} helper ${mode}`;
        const got = withMode(mode, () => quantizeInt8(staged(w), rows, cols, options));
        assertSameBytes(got.data, js.data, `${what} data`);
        assertSameBytes(got.scales, js.scales, `${what} scales`);
        assertSameBytes(got.zeroPoints, js.zeroPoints, `${what} zero points`);
      }
    }
  }
  // A shared call that stalls gives up on the helper for good (and falls back to JS): none did.
  assert.ok(helperThread(), "the helper thread was given up on");
});

void test("int4 on large staged weights: the bytes of the JS reference, read in place or band by band, with the helper and alone", () => {
  assert.ok(waitForHelperThread(10_000), "the helper thread did not start");
  // In place (K a multiple of the block, N of 16), and through each thread's slot (K or N not).
  for (const [k, n, bs] of [
    [1024, 1040, 32],
    [1000, 1104, 32],
    [1088, 1000, 64],
  ] as const) {
    assert.ok(k * n >= PARALLEL_MIN_ELEMENTS);
    const w = randn(k * n, k * 7 + n, 0.2);
    w[(k - 1) * n + 3] = -2; // the peak of a block in the last band
    const js = withWasm(false, () => quantizeInt4(w, k, n, { blockSize: bs, symmetric: true }));
    for (const mode of ["always", "never"] as const) {
      const got = withMode(mode, () => quantizeInt4(staged(w), k, n, { blockSize: bs, symmetric: true }));
      assertSameBytes(got.packed, js.packed, `[${k}, ${n}] block ${bs} helper ${mode} packed`);
      assertSameBytes(got.scales, js.scales, `[${k}, ${n}] block ${bs} helper ${mode} scales`);
    }
  }
  assert.ok(helperThread(), "the helper thread was given up on");
});

void test("a large staged weight with an infinity is refused as by the JS reference when shared", () => {
  const [rows, cols] = [1024, 1024];
  const w = randn(rows * cols, 4, 0.3);
  w[1000 * cols + 17] = Infinity; // in a band near the end, which either thread may take
  assert.throws(
    () => withWasm(false, () => quantizeInt8(w, rows, cols, { channelAxis: "cols", symmetric: true, type: "int8" })),
    RangeError,
  );
  assert.throws(
    () =>
      withMode("always", () =>
        quantizeInt8(staged(w), rows, cols, { channelAxis: "cols", symmetric: true, type: "int8" }),
      ),
    RangeError,
  );
});

void test("a helper stopped in the middle of a unit does not hold the call, and the next call is still exact", () => {
  assert.ok(waitForHelperThread(10_000), "the helper thread did not start");
  const [k, n] = [1024, 1536];
  const w = randn(k * n, 21, 0.2);
  const int8 = { channelAxis: "cols", symmetric: true, type: "int8" } satisfies Int8Options;
  const js8 = withWasm(false, () => quantizeInt8(w, k, n, int8));
  const js4 = withWasm(false, () => quantizeInt4(w, k, n, { blockSize: 32, symmetric: true }));
  for (const which of ["int8", "int4"] as const) {
    withMode("always", () => {
      assert.ok(pauseHelperForTests(true));
      let stopped = false;
      try {
        // The helper claims a unit and sits on it: the call does that unit itself and returns.
        const got =
          which === "int8"
            ? quantizeInt8(staged(w), k, n, int8).data
            : quantizeInt4(staged(w), k, n, { blockSize: 32, symmetric: true }).packed;
        stopped = helperInJobForTests();
        assertSameBytes(got, which === "int8" ? js8.data : js4.packed, `${which} with the helper stopped`);
      } finally {
        pauseHelperForTests(false);
      }
      assert.ok(stopped, `${which}: the helper never claimed a unit (the test did not test anything)`);
      // The helper now finishes its unit, writing into memory the next call reuses: that call waits for it first.
      const again = quantizeInt8(staged(w), k, n, int8);
      assertSameBytes(again.data, js8.data, `${which}: the call after`);
      const again4 = quantizeInt4(staged(w), k, n, { blockSize: 32, symmetric: true });
      assertSameBytes(again4.packed, js4.packed, `${which}: the int4 call after`);
      assertSameBytes(again4.scales, js4.scales, `${which}: the int4 scales after`);
    });
  }
});
