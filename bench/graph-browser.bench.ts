// The graph viewer in headless Chromium on its harness page (test/webviews/graph-harness/), served as the host would
// send it, in two cases: a synthetic 10,000-node decoder-shaped graph with one attention mask feeding every layer
// (test/fixtures/graphs/), and a real LM export of about that size (scripts/lm, random weights, read by the engine's
// openModelGraph). Figures per case:
//   - first paint: from the moment the fake host posts the ready reply (performance mark "edge-graph-document-sent")
//     to the app's first drawn frame ("edge-graph-first-paint"), including the worker's layout; goal ≤ 1.5 s. Also
//     the time to the fully expanded graph's first frame after "open all groups";
//   - frame time while panning and zooming the fully expanded graph; goal p95 ≤ 16 ms (see HOW below);
//   - the page's JS heap (CDP Performance.getMetrics JSHeapUsedSize; the worker's heap is its own); goal ≤ 300 MB.
// `--trace` adds a second, traced pass of the same interaction and prints where the renderer's main thread spent it.
// Ends with `graph-browser: …`. Usage: npm run bench:graph-browser [-- --nodes N --frames N --warmup N --case
// synthetic|lm|all --trace]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { ModelGraphDocument } from "../common/graph/model-graph";
import { openModelGraph } from "../engine/graph/index";
import { buildDecoderLm } from "../scripts/lm/decoder-graph";
import { randomDecoderLm } from "../scripts/lm/random-weights";
import { transformerGraph } from "../test/fixtures/graphs/transformer-graph";
import { documentOf } from "../test/webviews/graph-harness/fixtures";
import { chromiumArgs, chromiumPath, startHarness, type Harness } from "../test/webviews/graph-harness/harness";

const HOW = `how frames are measured: Chromium headless, software raster (no GPU), vsync and the frame-rate limit off
  (--disable-gpu-vsync --disable-frame-rate-limit), so a frame starts as soon as the last one is done and an interval
  is that frame's whole cost (input, the app's drawing, style/layout, commit, canvas raster, compositing). One
  synthetic input event per frame (wheel at a seeded random point, or Shift+arrow), in six phases: zoom in from
  fit-all to readable labels, pan, zoom out, and again. A warm-up pass of the same sequence runs first and is not
  counted (JIT compilation); the view is then fitted again. Counted: the intervals between consecutive
  requestAnimationFrame callbacks of the measuring loop; "app draw" is the app's own drawing code per frame drawn
  (recording canvas commands; rasterising is in the interval, not in it).`;

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "10000" },
    frames: { type: "string", default: "300" },
    warmup: { type: "string", default: "60" },
    case: { type: "string", default: "all" },
    trace: { type: "boolean", default: false },
  },
});
const nodes = Number(values.nodes);
const frames = Number(values.frames);
const warmup = Number(values.warmup);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

interface CaseResult {
  name: string;
  nodes: number;
  firstPaintMs: number;
  p95: number;
  heapMB: number;
}

interface PageWindow {
  edgeGraph: { lastDraw?: { drawMs: number; frame: number; boxes: number; edges: number } };
}

/** A real LM export of about `target` nodes: 37 nodes a layer and 30 around them (scripts/lm's decoder). */
async function lmDocument(dir: string, target: number): Promise<ModelGraphDocument> {
  const layers = Math.max(1, Math.round((target - 30) / 37));
  const config = { layers, hidden: 16, heads: 2, vocab: 64, context: 64 };
  const built = await buildDecoderLm(config, randomDecoderLm(config, 1), join(dir, "lm.onnx"), { externalData: false });
  const opened = await openModelGraph(built.modelPath);
  await opened.close();
  return opened.document;
}

/** Runs the pan/zoom sequence for `count` frames; returns rAF intervals, draw times of frames drawn, and phases. */
async function panZoom(page: Page, count: number, seed: number) {
  return page.evaluate(
    async ({ count, seed }) => {
      const app = (window as unknown as PageWindow).edgeGraph;
      const canvas = document.querySelector("canvas.graph-canvas") as HTMLCanvasElement;
      const r = canvas.getBoundingClientRect();
      let s = seed >>> 0;
      const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      const intervals: number[] = [];
      const phases: number[] = [];
      const draws: number[] = [];
      let last = 0;
      let lastFrame = app.lastDraw?.frame ?? 0;
      await new Promise<void>((done) => {
        let i = 0;
        const step = (t: number) => {
          if (last > 0) intervals.push(t - last);
          last = t;
          const d = app.lastDraw;
          if (d && d.frame !== lastFrame) {
            draws.push(d.drawMs);
            lastFrame = d.frame;
          }
          if (i >= count) return done();
          const phase = Math.floor(i / (count / 6)) % 3; // zoom in, pan, zoom out
          phases.push(phase);
          if (phase === 1) {
            const key = ["ArrowLeft", "ArrowDown", "ArrowRight", "ArrowUp"][Math.floor(i / 10) % 4];
            canvas.dispatchEvent(new KeyboardEvent("keydown", { key, shiftKey: true, bubbles: true }));
          } else {
            const deltaY = (phase === 0 ? -1 : 1) * (i % 2 === 0 ? 60 : 40);
            canvas.dispatchEvent(
              new WheelEvent("wheel", {
                deltaY,
                clientX: r.left + r.width * (0.3 + 0.4 * random()),
                clientY: r.top + r.height * (0.3 + 0.4 * random()),
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
      return { intervals, draws, phases };
    },
    { count, seed },
  );
}

async function fitAndSettle(page: Page): Promise<void> {
  await page.locator("canvas.graph-canvas").focus();
  await page.keyboard.press("f");
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(r), 300)));
}

/** Main-thread time (ms per frame) by kind, from a Chromium trace of one more pass of the sequence. */
async function tracedPass(context: BrowserContext, page: Page, count: number): Promise<string> {
  const cdp = await context.newCDPSession(page);
  const events: { ph: string; name: string; dur?: number; pid: number; tid: number; args?: { name?: string } }[] = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...(e.value as unknown as typeof events)));
  const complete = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Tracing.start", {
    categories: "devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,v8,toplevel",
    transferMode: "ReportEvents",
  });
  await panZoom(page, count, 7);
  await cdp.send("Tracing.end");
  await complete;
  await cdp.detach();
  const threads = new Map<string, string>();
  for (const e of events)
    if (e.ph === "M" && e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
  const sum = new Map<string, number>();
  for (const e of events)
    if (e.ph === "X" && e.dur && threads.get(`${e.pid}:${e.tid}`) === "CrRendererMain")
      sum.set(e.name, (sum.get(e.name) ?? 0) + e.dur / 1000);
  const per = (...names: string[]) => (names.reduce((a, n) => a + (sum.get(n) ?? 0), 0) / count).toFixed(2);
  return (
    `main thread per frame (traced pass): whole frame ${per("ProxyMain::BeginMainFrame")} ms, of which ` +
    `rAF scripts ${per("FireAnimationFrame")} (GC in them and elsewhere ${per("MinorGC", "MajorGC")}), ` +
    `style+layout ${per("Document::UpdateStyleAndLayout")}, paint ${per("Paint")}, ` +
    `commit ${per("Commit")} (canvas flush ${per("Canvas2DResourceProvider::ProduceCanvasResource")}); ` +
    `input events ${per("EventDispatch")}`
  );
}

async function runCase(
  context: BrowserContext,
  harness: Harness,
  name: string,
  doc: ModelGraphDocument,
): Promise<CaseResult> {
  const url = harness.add(name, { initial: { document: doc, runs: [] }, replyDelayMs: 300 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
  const firstPaintMs = await page.evaluate(
    () => performance.measure("first-paint", "edge-graph-document-sent", "edge-graph-first-paint").duration,
  );
  console.log(`[${name}] ${doc.totalNodes} nodes; first view: ${await page.locator("#status").innerText()}`);
  console.log(`[${name}] first paint after the graph arrives: ${firstPaintMs.toFixed(0)} ms`);

  // Open every group: the whole graph laid out (in the worker) and drawn.
  const expandStart = Date.now();
  await page.locator("#expand-all").click();
  await page
    .waitForFunction(
      (n) =>
        Number(/(\d+) boxes/.exec(document.getElementById("status")?.textContent ?? "")?.[1]) >= n &&
        document.querySelector(".busy")?.hasAttribute("hidden"),
      doc.totalNodes,
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
    `[${name}] fully expanded: drawn ${Date.now() - expandStart} ms after the click (${drawn} boxes in view); ${await page.locator("#status").innerText()}`,
  );

  if (warmup > 0) {
    await panZoom(page, warmup, 3);
    await fitAndSettle(page);
  }
  const result = await panZoom(page, frames, 1);
  const p95 = percentile(result.intervals, 0.95);
  const p50 = percentile(result.intervals, 0.5);
  const byPhase = ["zoom in", "pan", "zoom out"].map((label, phase) => {
    // Interval k ends at the frame after input k was sent: the frame that drew it.
    const xs = result.intervals.filter((_, k) => result.phases[k] === phase);
    return `${label} ${percentile(xs, 0.95).toFixed(1)}`;
  });
  console.log(
    `[${name}] pan/zoom over ${result.intervals.length} frames (after ${warmup} warm-up frames): frame interval p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...result.intervals).toFixed(1)} ms; p95 by phase: ${byPhase.join(", ")} ms; app draw p50 ${percentile(result.draws, 0.5).toFixed(1)} ms, p95 ${percentile(result.draws, 0.95).toFixed(1)} ms over ${result.draws.length} draws`,
  );
  if (values.trace) {
    await fitAndSettle(page);
    console.log(`[${name}] ${await tracedPass(context, page, frames)}`);
  }

  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const metrics = (await cdp.send("Performance.getMetrics")).metrics;
  const heapMB = (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN) / 1e6;
  const totalMB = (metrics.find((m) => m.name === "JSHeapTotalSize")?.value ?? NaN) / 1e6;
  console.log(`[${name}] page JS heap: ${heapMB.toFixed(1)} MB used, ${totalMB.toFixed(1)} MB total`);
  if (errors.length > 0) console.log(`[${name}] page errors: ${errors.join("; ")}`);
  await page.close();
  return { name, nodes: doc.totalNodes, firstPaintMs, p95, heapMB };
}

const harness = await startHarness();
const profile = mkdtempSync(join(tmpdir(), "edge-graph-bench-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: [...chromiumArgs, "--disable-gpu-vsync", "--disable-frame-rate-limit", "--enable-precise-memory-info"],
  viewport: { width: 1400, height: 900 },
});
console.log(HOW);
try {
  const results: CaseResult[] = [];
  if (values.case === "all" || values.case === "synthetic") {
    const graph = transformerGraph({ nodes, shape: "mask" });
    console.log(`synthetic: ${graph.nodes.length} nodes, ${graph.tensors.length} tensors (one mask into every layer)`);
    results.push(await runCase(context, harness, "synthetic", documentOf(graph, "/models/bench-lm.onnx")));
  }
  if (values.case === "all" || values.case === "lm") {
    const doc = await lmDocument(profile, nodes);
    console.log(
      `lm: scripts/lm decoder read by openModelGraph, ${doc.totalNodes} nodes, ${doc.graph.tensors.length} tensors`,
    );
    results.push(await runCase(context, harness, "lm", doc));
  }
  console.log(
    `graph-browser: ${results
      .map(
        (r) =>
          `${r.name} (${r.nodes} nodes) first paint ${(r.firstPaintMs / 1000).toFixed(2)} s, p95 frame ${r.p95.toFixed(1)} ms, page heap ${r.heapMB.toFixed(0)} MB`,
      )
      .join("; ")} (goals: first paint ≤ 1.5 s, p95 frame ≤ 16 ms, heap ≤ 300 MB)`,
  );
} finally {
  await context.close();
  await harness.close();
  rmSync(profile, { recursive: true, force: true });
}
