// The profile viewer in headless Chromium on its harness page (test/webviews/profile-harness/): a generated
// onnxruntime trace of 1,000,000 events (test/common/ort-trace.ts; ~380 MB) streamed to the app in chunks as the
// host does, parsed and indexed in its worker. Figures:
//   - index: from the last chunk sent to the worker's model ready (the worker's parse + index, for context);
//   - first paint: from the index ready (performance mark "edge-profile-index-ready") to the first drawn frame
//     ("edge-profile-first-paint"); goal ≤ 1 s;
//   - frame time at full zoom-out (every frame redrawn: a tiny zoom in and back out at a random point) and while
//     zooming (wheel at random points, in from the whole trace to µs and back out); goal p95 ≤ 16 ms (HOW below);
//   - live: from a DidReceiveLiveKernelsNotification (one iteration's kernels) posted to the page to the frame that
//     draws it, over iterations of `--live-kernels` kernels; goal p95 ≤ 1 s.
// Ends with `trace-browser: …`. Usage: npm run bench:trace-browser [-- --events N --frames N --warmup N --iterations N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { ortEventCount, writeOrtTrace } from "../test/common/ort-trace";
import { liveKernels } from "../test/webviews/profile-harness/fixtures";
import { chromiumArgs, chromiumPath, startHarness } from "../test/webviews/profile-harness/harness";

const HOW = `how frames are measured: Chromium headless, software raster (no GPU), vsync and the frame-rate limit off
  (--disable-gpu-vsync --disable-frame-rate-limit), so a frame starts as soon as the last one is done and an interval
  is that frame's whole cost (input, the app's drawing from its cached window, style/layout, commit, raster). One
  synthetic wheel event per frame. A warm-up pass runs first and is not counted. Counted: the intervals between
  consecutive requestAnimationFrame callbacks of the measuring loop.`;

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    frames: { type: "string", default: "300" },
    warmup: { type: "string", default: "60" },
    iterations: { type: "string", default: "20" },
    "live-kernels": { type: "string", default: "1000" },
  },
});
const frames = Number(values.frames);
const warmup = Number(values.warmup);
const nodes = 1000;
const runs = Math.max(1, Math.round(Number(values.events) / (nodes + 2)));

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/** `count` frames, one wheel event each: "hold" zooms in a little and back out (full zoom-out redrawn every frame),
 * "zoom" zooms in for the first half and out for the second. Returns the rAF intervals. */
async function wheelFrames(page: Page, count: number, mode: "hold" | "zoom", seed: number): Promise<number[]> {
  return page.evaluate(
    async ({ count, mode, seed }) => {
      const canvas = document.querySelector("canvas.timeline-canvas") as HTMLCanvasElement;
      const r = canvas.getBoundingClientRect();
      let s = seed >>> 0;
      const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      const intervals: number[] = [];
      let last = 0;
      await new Promise<void>((done) => {
        let i = 0;
        const step = (t: number) => {
          if (last > 0) intervals.push(t - last);
          last = t;
          if (i >= count) return done();
          const deltaY = mode === "hold" ? (i % 2 === 0 ? -6 : 6) : i < count / 2 ? -120 : 120;
          canvas.dispatchEvent(
            new WheelEvent("wheel", {
              deltaY,
              ctrlKey: true,
              clientX: r.left + r.width * (0.2 + 0.6 * random()),
              clientY: r.top + r.height * 0.3,
              bubbles: true,
              cancelable: true,
            }),
          );
          i++;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
      return intervals;
    },
    { count, mode, seed },
  );
}

const dir = mkdtempSync(join(tmpdir(), "edge-profile-bench-"));
const harness = await startHarness(dir);
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [...chromiumArgs, "--disable-gpu-vsync", "--disable-frame-rate-limit"],
});
console.log(HOW);
try {
  const t0 = Date.now();
  const sizeBytes = await writeOrtTrace(join(dir, "big.json"), { runs, nodes, form: "object" });
  const events = ortEventCount({ runs, nodes });
  console.log(
    `trace: ${events} events (${runs} runs × ${nodes} kernels), ${(sizeBytes / 1e6).toFixed(0)} MB, written in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await harness.attach(page);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const url = harness.add("big", {
    initial: { main: { path: join(dir, "big.json"), label: "big.json", sizeBytes } },
    files: { main: "big.json" },
    chunkBytes: 4_000_000,
  });
  const open = Date.now();
  await page.goto(url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 600_000 });
  const marks = await page.evaluate(() => ({
    streamedToIndex: performance.measure("i", "edge-profile-streamed-main", "edge-profile-index-ready").duration,
    firstPaint: performance.measure("p", "edge-profile-index-ready", "edge-profile-first-paint").duration,
  }));
  console.log(
    `opened in ${((Date.now() - open) / 1000).toFixed(1)} s (streaming over the harness binding included); ${await page.locator("#status").innerText()}`,
  );
  console.log(
    `index ready ${(marks.streamedToIndex / 1000).toFixed(2)} s after the last chunk; first paint ${marks.firstPaint.toFixed(0)} ms after the index`,
  );

  if (warmup > 0) await wheelFrames(page, warmup, "zoom", 3);
  await page.locator("canvas.timeline-canvas").focus();
  await page.keyboard.press("f");
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(r), 500)));
  const hold = await wheelFrames(page, frames, "hold", 1);
  await page.keyboard.press("f");
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(r), 500)));
  const zoom = await wheelFrames(page, frames, "zoom", 2);
  const holdP95 = percentile(hold, 0.95);
  const zoomP95 = percentile(zoom, 0.95);
  console.log(
    `full zoom-out: frame p50 ${percentile(hold, 0.5).toFixed(1)} ms, p95 ${holdP95.toFixed(1)} ms, max ${Math.max(...hold).toFixed(1)} ms over ${hold.length} frames`,
  );
  console.log(
    `zooming: frame p50 ${percentile(zoom, 0.5).toFixed(1)} ms, p95 ${zoomP95.toFixed(1)} ms, max ${Math.max(...zoom).toFixed(1)} ms over ${zoom.length} frames`,
  );
  await page.close();

  // Live: one iteration's kernels per message, each timed to the frame that draws it.
  const live = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await harness.attach(live);
  await live.goto(
    harness.add("live", { initial: { main: { path: join(dir, "live.json"), label: "live", live: true } }, files: {} }),
  );
  await live.locator("#progress").waitFor();
  const liveMs: number[] = [];
  for (let i = 0; i < Number(values.iterations); i++) {
    const kernels = liveKernels(i, Number(values["live-kernels"]));
    liveMs.push(
      await live.evaluate(
        async ({ i, kernels }) => {
          const w = window as unknown as { __hostSend(m: string, p: unknown): void };
          const start = performance.now();
          w.__hostSend("profile/didReceiveLiveKernels", { iteration: i, kernels });
          const root = document.querySelector(".profile-app") as HTMLElement;
          await new Promise<void>((done) => {
            const check = () => (root.dataset.liveDrawn === String(i) ? done() : requestAnimationFrame(check));
            check();
          });
          return performance.now() - start;
        },
        { i, kernels },
      ),
    );
  }
  const liveP95 = percentile(liveMs, 0.95);
  console.log(
    `live: ${liveMs.length} iterations of ${values["live-kernels"]} kernels, message → drawn p50 ${percentile(liveMs, 0.5).toFixed(0)} ms, p95 ${liveP95.toFixed(0)} ms`,
  );
  if (errors.length > 0) console.log(`page errors: ${errors.join("; ")}`);
  console.log(
    `trace-browser: ${events} events (${(sizeBytes / 1e6).toFixed(0)} MB) first paint ${marks.firstPaint.toFixed(0)} ms after the index, p95 frame ${holdP95.toFixed(1)} ms at full zoom-out and ${zoomP95.toFixed(1)} ms while zooming; live message → drawn p95 ${liveP95.toFixed(0)} ms (goals: first paint ≤ 1 s, p95 frame ≤ 16 ms, live ≤ 1 s)`,
  );
} finally {
  await browser.close();
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
}
