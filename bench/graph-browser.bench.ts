// The graph viewer in headless Chromium on its harness page (test/webviews/graph-harness/): a 10,000-node
// transformer-shaped graph with one attention mask feeding every layer (test/fixtures/graphs/), served as the host
// would send it. Figures:
//   - first paint: from the moment the fake host posts the ready reply (performance mark "edge-graph-document-sent")
//     to the app's first drawn frame ("edge-graph-first-paint"), including the worker's layout; goal ≤ 1.5 s. Also
//     the time to the fully expanded graph's first frame after "open all groups";
//   - frame time while panning and zooming the fully expanded graph (wheel and Shift+arrow events on the canvas, one
//     per frame, from fit-all zoom in to labels and back): the intervals between requestAnimationFrame callbacks, with
//     Chromium's frame-rate limit and vsync off so an interval is the frame's work, and the app's own draw time;
//     goal p95 ≤ 16 ms;
//   - the page's JS heap (CDP Performance.getMetrics JSHeapUsedSize; the worker's heap is its own); goal ≤ 300 MB.
// Ends with `graph-browser: …`. Usage: npm run bench:graph-browser [-- --nodes N --frames N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { transformerGraph } from "../test/fixtures/graphs/transformer-graph";
import { documentOf } from "../test/webviews/graph-harness/fixtures";
import { chromiumArgs, chromiumPath, startHarness } from "../test/webviews/graph-harness/harness";

const { values } = parseArgs({
  options: { nodes: { type: "string", default: "10000" }, frames: { type: "string", default: "300" } },
});
const nodes = Number(values.nodes);
const frames = Number(values.frames);

const graph = transformerGraph({ nodes, shape: "mask" });
const doc = documentOf(graph, "/models/bench-lm.onnx");
const harness = await startHarness();
const url = harness.add("large", { initial: { document: doc, runs: [] }, replyDelayMs: 300 });
const profile = mkdtempSync(join(tmpdir(), "edge-graph-bench-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: [...chromiumArgs, "--disable-gpu-vsync", "--disable-frame-rate-limit", "--enable-precise-memory-info"],
  viewport: { width: 1400, height: 900 },
});

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

try {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
  const firstPaintMs = await page.evaluate(
    () => performance.measure("first-paint", "edge-graph-document-sent", "edge-graph-first-paint").duration,
  );
  console.log(
    `graph: ${graph.nodes.length} nodes, ${graph.tensors.length} tensors; first view: ${await page.locator("#status").innerText()}`,
  );
  console.log(`first paint after the graph arrives: ${firstPaintMs.toFixed(0)} ms`);

  // Open every group: the whole graph laid out (in the worker) and drawn.
  const expandStart = Date.now();
  await page.locator("#expand-all").click();
  await page
    .waitForFunction(
      (n) =>
        Number(/(\d+) boxes/.exec(document.getElementById("status")?.textContent ?? "")?.[1]) >= n &&
        document.querySelector(".busy")?.hasAttribute("hidden"),
      graph.nodes.length,
      { timeout: 120_000 },
    )
    .catch(async (e: unknown) => {
      const busy = await page.locator(".busy").innerText();
      const boxes = await page.locator("canvas.graph-canvas").getAttribute("data-boxes");
      throw new Error(`the expanded graph was not drawn (busy: ${busy}; boxes drawn: ${boxes}; ${String(e)})`);
    });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const drawn = await page.locator("canvas.graph-canvas").getAttribute("data-boxes");
  console.log(
    `fully expanded: drawn ${Date.now() - expandStart} ms after the click (${drawn} boxes in view); ${await page.locator("#status").innerText()}`,
  );

  // Pan and zoom: one input event per animation frame, from fit-all zoom in to readable labels and back out.
  const result = await page.evaluate(async (count) => {
    const canvas = document.querySelector("canvas.graph-canvas") as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    const intervals: number[] = [];
    const draws: number[] = [];
    let last = 0;
    await new Promise<void>((done) => {
      let i = 0;
      const step = (t: number) => {
        if (last > 0) intervals.push(t - last);
        last = t;
        draws.push(Number(canvas.dataset.drawMs ?? 0));
        if (i >= count) return done();
        const phase = Math.floor(i / (count / 6)) % 3; // zoom in, pan, zoom out
        if (phase === 1) {
          const key = ["ArrowLeft", "ArrowDown", "ArrowRight", "ArrowUp"][Math.floor(i / 10) % 4];
          canvas.dispatchEvent(new KeyboardEvent("keydown", { key, shiftKey: true, bubbles: true }));
        } else {
          const deltaY = (phase === 0 ? -1 : 1) * (i % 2 === 0 ? 60 : 40);
          canvas.dispatchEvent(
            new WheelEvent("wheel", {
              deltaY,
              clientX: r.left + r.width * (0.3 + 0.4 * Math.random()),
              clientY: r.top + r.height * (0.3 + 0.4 * Math.random()),
              bubbles: true,
              cancelable: true,
            }),
          );
        }
        i++;
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    return { intervals, draws: draws.slice(1) };
  }, frames);
  const p95 = percentile(result.intervals, 0.95);
  const p50 = percentile(result.intervals, 0.5);
  const drawP95 = percentile(result.draws, 0.95);
  console.log(
    `pan/zoom over ${result.intervals.length} frames: frame interval p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...result.intervals).toFixed(1)} ms; app draw p95 ${drawP95.toFixed(1)} ms`,
  );

  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const metrics = (await cdp.send("Performance.getMetrics")).metrics;
  const heapMB = (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN) / 1e6;
  const totalMB = (metrics.find((m) => m.name === "JSHeapTotalSize")?.value ?? NaN) / 1e6;
  console.log(`page JS heap: ${heapMB.toFixed(1)} MB used, ${totalMB.toFixed(1)} MB total`);
  if (errors.length > 0) console.log(`page errors: ${errors.join("; ")}`);
  console.log(
    `graph-browser: first paint ${(firstPaintMs / 1000).toFixed(2)} s (goal ≤ 1.5 s), p95 frame ${p95.toFixed(1)} ms (goal ≤ 16 ms), page heap ${heapMB.toFixed(0)} MB (goal ≤ 300 MB) at ${graph.nodes.length} nodes`,
  );
} finally {
  await context.close();
  await harness.close();
  rmSync(profile, { recursive: true, force: true });
}
