// Where the profiled windows go (engine/run/profile-windows.ts): fixed windows, the adaptive schedule's sizing from
// the last window's cost, and the iteration ranges the report shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MIN_GAP_MS,
  WINDOW_LATENCY_BUDGET_MS,
  WINDOW_MAX_KERNELS,
  WindowSchedule,
  iterationRanges,
} from "../../engine/run/profile-windows";
import { formatIterationRanges } from "../../common/report";

void test("fixed windows: `iterations` every `every` measured iterations from 0", () => {
  const s = new WindowSchedule({ iterations: 2, every: 5 });
  const picked = Array.from({ length: 12 }, (_, i) => s.profiles(i, 0));
  assert.deepEqual(picked.map((p, i) => (p ? `${i}${p.starts ? "*" : ""}` : "")).filter(Boolean), [
    "0*",
    "1",
    "5*",
    "6",
    "10*",
    "11",
  ]);
  assert.throws(() => new WindowSchedule({ iterations: 3, every: 2 }), RangeError);
  assert.throws(() => new WindowSchedule({ iterations: 0, every: 2 }), RangeError);
});

void test("adaptive: a first window of one, then windows sized to the latency budget after a gap", () => {
  const s = new WindowSchedule();
  assert.deepEqual(s.profiles(0, 0), { starts: true, size: 1 });
  // the window of one cost 20 ms to stream (10 kernels) and 150 ms in all (with the next session)
  s.ended({ iterations: 1, latencyMs: 20, totalMs: 150, kernels: 10 }, 5);
  assert.equal(s.profiles(1, 5 + MIN_GAP_MS - 1), undefined, "not before the gap");
  const next = s.profiles(2, 5 + MIN_GAP_MS);
  assert.deepEqual(next, { starts: true, size: Math.floor(WINDOW_LATENCY_BUDGET_MS / 20) });
  assert.deepEqual(s.profiles(3, 5 + MIN_GAP_MS + 1), { starts: false, size: 0 }, "inside the window");

  // a costly window: the gap is at least its cost; a kernel-heavy one: sized by WINDOW_MAX_KERNELS; a slow model: 1
  s.ended({ iterations: 2, latencyMs: 10, totalMs: 2000, kernels: 2 * WINDOW_MAX_KERNELS }, 1000);
  assert.equal(s.profiles(30, 2999), undefined);
  assert.deepEqual(s.profiles(31, 3000), { starts: true, size: 1 });
  s.ended({ iterations: 1, latencyMs: 900, totalMs: 900, kernels: 5 }, 4000);
  assert.equal(s.profiles(40, 4899), undefined, "the gap is the window's cost when above MIN_GAP_MS");
  assert.deepEqual(s.profiles(41, 4900), { starts: true, size: 1 });
});

void test("all: windows sized the same way, back to back from iteration 0, so every iteration is profiled", () => {
  const s = new WindowSchedule("all");
  const profiled: number[] = [];
  let measuredMs = 0;
  let window: { start: number; size: number } | undefined;
  for (let i = 0; i < 200; i++) {
    measuredMs += 3;
    const pick = s.profiles(i, measuredMs);
    assert.ok(pick, `iteration ${i} is profiled`);
    if (pick.starts) window = { start: i, size: pick.size };
    profiled.push(i);
    if (window && i === window.start + window.size - 1) {
      s.ended(
        { iterations: window.size, latencyMs: 7 * window.size, totalMs: 900, kernels: 30 * window.size },
        measuredMs,
      );
      window = undefined;
    }
  }
  assert.deepEqual(
    profiled,
    Array.from({ length: 200 }, (_, i) => i),
  );
  // After the first window of one, windows are sized to the latency budget (7 ms an iteration), not to one.
  const sized = new WindowSchedule("all");
  sized.profiles(0, 0);
  sized.ended({ iterations: 1, latencyMs: 7, totalMs: 900, kernels: 30 }, 3);
  assert.deepEqual(sized.profiles(1, 4), { starts: true, size: Math.floor(WINDOW_LATENCY_BUDGET_MS / 7) });
});

void test("profiled iterations as ranges, and their text", () => {
  assert.deepEqual(iterationRanges([0, 1, 2, 5, 7, 8]), [
    [0, 2],
    [5, 5],
    [7, 8],
  ]);
  assert.deepEqual(iterationRanges([]), []);
  assert.equal(formatIterationRanges(iterationRanges([0, 1, 2, 5])), "0–2, 5");
  assert.equal(
    formatIterationRanges(
      [
        [0, 0],
        [2, 2],
        [4, 4],
      ],
      2,
    ),
    "0, 2, … (1 more)",
  );
});
