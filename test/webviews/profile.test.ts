// The profile viewer in a real browser (Debian Chromium through playwright-core): the built bundle served with the
// host's own page and CSP (extension/profile/profile-html.ts) by the standalone harness (profile-harness/), with a
// fake host streaming real trace files in chunks: a real onnxruntime profile from `edge run`, generated ORT traces,
// a Chromium-style trace, a cut-off trace, a JSON file that is not a trace and a file that is not JSON. Fails on any
// CSP violation or page error. `npm run build` first.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { ProfileViewState } from "../../webviews/protocol/profile";
import { ORT_SHAPE, liveKernels, writeTraceFiles, type TraceFiles } from "./profile-harness/fixtures";
import { chromiumArgs, chromiumPath, repoRoot, startHarness, type Harness } from "./profile-harness/harness";

const artifacts = join(repoRoot, "test-artifacts", "webviews");
const dir = mkdtempSync(join(tmpdir(), "edge-profile-webview-"));
let files: TraceFiles;
let harness: Harness;
let context: BrowserContext;
const url: Record<string, string> = {};

interface Rect {
  slice: number;
  track: number;
  depth: number;
  x: number;
  y: number;
  width: number;
}
interface PageWindow {
  __posted: { method: string; params: unknown; id?: number }[];
  __violations: string[];
  __worker: { started: number; chunks: number; queries: number };
  __streamed: Record<string, number>;
  __hostSend(method: string, params: unknown): void;
  __hostStream(slot: string, file: string): Promise<void>;
  edgeProfile: {
    timeline: {
      view: { startUs: number; endUs: number };
      follow: boolean;
      visibleSlices(limit?: number): Rect[];
      highlighted: Set<number>;
      selected: number;
      visibleMarks(): {
        instants: { track: number; name: string; merged: number; x: number; y: number }[];
        counters: { counter: number; label: string; y: number }[];
      };
    };
  };
  acquireVsCodeApi(): { getState(): ProfileViewState | undefined };
}

const source = (file: string, extra: Record<string, unknown> = {}) => ({
  path: join(dir, file),
  label: file,
  ...extra,
});

before(async () => {
  files = await writeTraceFiles(dir, { real: true });
  harness = await startHarness(dir);
  const ortScenario = {
    initial: { main: source(files.ort, { runDir: "/runs/r1", model: "/models/m.onnx" }) },
    files: { main: files.ort },
    compareFile: files.ortOther,
    // As the host sends it with the compare file's first chunk: another run's profile.
    compareSource: source(files.ortOther, { runDir: "/work/.edge/runs/20260102-000000-int8-laptop", label: "int8" }),
    chunkBytes: 64_000,
  };
  url.ort = harness.add("ort", ortScenario);
  url.restore = harness.add("restore", ortScenario);
  // The same ORT trace as a file from elsewhere (no run folder): a profile another tool wrote, warm-up included.
  url.foreign = harness.add("foreign", { initial: { main: source(files.ort) }, files: { main: files.ort } });
  url.highlight = harness.add("highlight", {
    initial: { main: source(files.ort), highlight: { node: "/blocks.2/Relu_8" } },
    files: { main: files.ort },
  });
  url.chromium = harness.add("chromium", {
    initial: { main: source(files.chromium) },
    files: { main: files.chromium },
  });
  url.truncated = harness.add("truncated", {
    initial: { main: source(files.truncated) },
    files: { main: files.truncated },
  });
  url.notTrace = harness.add("not-trace", {
    initial: { main: source(files.notTrace) },
    files: { main: files.notTrace },
  });
  url.notJson = harness.add("not-json", { initial: { main: source(files.notJson) }, files: { main: files.notJson } });
  url.live = harness.add("live", {
    initial: { main: source("profile.json", { live: true, runDir: "/runs/live" }) },
    files: {},
  });
  if (files.real)
    url.real = harness.add("real", {
      initial: { main: source(files.real.file, { runDir: files.real.runDir }) },
      files: { main: files.real.file },
    });
  mkdirSync(artifacts, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "edge-profile-chromium-")), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1200, height: 700 },
  });
});

after(async () => {
  await context?.close();
  await harness?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(name: string, page?: Page): Promise<{ page: Page; errors: string[] }> {
  if (!page) {
    page = await context.newPage();
    await harness.attach(page);
  }
  const errors: string[] = [];
  page.on("console", (m) => /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  await page.goto(url[name]);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 30_000 });
  return { page, errors };
}

const win = <T>(page: Page, f: (w: PageWindow) => T): Promise<T> => page.evaluate(`(${f.toString()})(window)`);
const posted = (page: Page) => win(page, (w) => w.__posted);
const view = (page: Page) => win(page, (w) => ({ ...w.edgeProfile.timeline.view }));
const slices = (page: Page) => win(page, (w) => w.edgeProfile.timeline.visibleSlices(2000));
const state = async (page: Page) => {
  await page.waitForTimeout(300);
  return win(page, (w) => w.acquireVsCodeApi().getState());
};
const settle = (page: Page) =>
  page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 150)));

async function noViolations(page: Page, errors: string[]): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  assert.deepEqual([...(await win(page, (w) => w.__violations)), ...errors], [], "CSP violations or page errors");
}

/** Zooms the timeline onto run `run` of the ORT trace through the iterations tab, and waits for its kernels. */
async function zoomToRun(page: Page, run: number): Promise<Rect[]> {
  await page.locator("#tab-iterations").click();
  await page.locator(`svg.iteration-chart rect.bar[data-run="${run}"]`).click();
  const wide = async () => (await slices(page)).filter((r) => r.depth === 2 && r.width > 2).length;
  // A real run's kernels may be too short to aim at over the whole run: zoom in (W) until some are.
  for (let i = 0; i < 30 && (await wide()) <= 3; i++) {
    await page.locator("canvas.timeline-canvas").press("w");
    await settle(page);
  }
  await page.waitForFunction(
    () =>
      (window as unknown as PageWindow).edgeProfile.timeline
        .visibleSlices(500)
        .filter((r) => r.depth === 2 && r.width > 2).length > 3,
    undefined,
    { timeout: 30_000 },
  );
  return (await slices(page)).filter((r) => r.depth === 2 && r.width > 2).sort((a, b) => b.width - a.width);
}

async function canvasBox(page: Page) {
  return (await page.locator("canvas.timeline-canvas").boundingBox())!;
}

void test("the ORT trace streams to the worker, is drawn on the canvas, under the host's CSP", async () => {
  const { page, errors } = await open("ort");
  const p = await posted(page);
  assert.equal(p[0].method, "profile/ready", "the webview speaks first");
  const worker = await win(page, (w) => w.__worker);
  assert.equal(worker.started, 1);
  assert.ok(worker.chunks > 3, `the bytes went to the worker in chunks: ${JSON.stringify(worker)}`);
  // The host's flow control: after each chunk the webview says how much of the stream its worker has read.
  const consumed = (await posted(page))
    .filter((m) => m.method === "profile/traceConsumed")
    .map((m) => m.params as { slot: string; bytes: number });
  assert.equal(consumed.length, worker.chunks);
  assert.ok(consumed.every((c, i) => c.slot === "main" && (i === 0 || c.bytes > consumed[i - 1].bytes)));
  assert.equal(consumed.at(-1)?.bytes, await win(page, (w) => w.__streamed.main));
  assert.ok(Number(await page.locator("canvas.timeline-canvas").getAttribute("data-rects")) > 0);
  const events = 2 + ORT_SHAPE.runs * (ORT_SHAPE.nodes + 2);
  assert.match(
    await page.locator("#status").innerText(),
    new RegExp(`${events.toLocaleString("en-US")} slices on 1 tracks, 20 runs`),
  );
  assert.equal(await page.locator("#notes").isVisible(), false, "a whole trace has no read notes");
  await page.screenshot({ path: join(artifacts, "profile.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("W/S zoom around the centre, A/D pan, F shows the whole trace again", async () => {
  const { page, errors } = await open("ort");
  await page.locator("canvas.timeline-canvas").focus();
  const v0 = await view(page);
  await page.keyboard.press("w");
  await page.keyboard.press("w");
  const v1 = await view(page);
  assert.ok(v1.endUs - v1.startUs < (v0.endUs - v0.startUs) * 0.7, "W zooms in");
  await page.keyboard.press("d");
  const v2 = await view(page);
  assert.ok(v2.startUs > v1.startUs, "D pans later");
  await page.keyboard.press("a");
  await page.keyboard.press("a");
  assert.ok((await view(page)).startUs < v2.startUs, "A pans earlier");
  await page.keyboard.press("s");
  assert.ok((await view(page)).endUs - (await view(page)).startUs > v1.endUs - v1.startUs, "S zooms out");
  for (let i = 0; i < 80; i++) await page.keyboard.press("w");
  const deep = await view(page);
  assert.ok(
    deep.endUs - deep.startUs <= 1.0001 && deep.endUs - deep.startUs >= 0.999,
    `down to 1 µs: ${JSON.stringify(deep)}`,
  );
  await page.keyboard.press("f");
  const v3 = await view(page);
  assert.ok(Math.abs(v3.startUs - v0.startUs) < 1e-6 && Math.abs(v3.endUs - v0.endUs) < 1e-6, "the whole trace again");
  await noViolations(page, errors);
  await page.close();
});

void test("hovering a kernel shows its op, provider, shapes and sizes from the event's text", async () => {
  const { page, errors } = await open("ort");
  const kernels = await zoomToRun(page, 3);
  const c = await canvasBox(page);
  const k = kernels[5];
  await page.mouse.move(c.x + k.x + k.width / 2, c.y + k.y + 8);
  const tip = page.locator("#tooltip");
  await tip.locator("table.args").waitFor({ timeout: 10_000 });
  const text = await tip.innerText();
  assert.match(text, /op\s+\w+/);
  assert.match(text, /CPUExecutionProvider/);
  assert.match(text, /float\[1,3,48,192\], float\[16,3,3,3\], float\[16\]/, "input shapes from args");
  assert.match(text, /outputs\s+float\[1,16,24,96\]/);
  assert.match(text, /activations\s+110\.6 kB/, "sizes in decimal units");
  assert.ok(
    (await posted(page)).some((m) => m.method === "profile/eventText"),
    "args were asked of the host by offset",
  );
  await page.screenshot({ path: join(artifacts, "profile-hover.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("dragging selects a range and summarizes what it holds", async () => {
  const { page, errors } = await open("ort");
  const c = await canvasBox(page);
  await page.mouse.move(c.x + c.width * 0.65, c.y + 60);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width * 0.85, c.y + 60, { steps: 5 });
  await page.mouse.up();
  const panel = page.locator("#range-panel .range-summary");
  await panel.waitFor();
  const kernels = Number(await panel.getAttribute("data-kernels"));
  assert.ok(kernels > 100, `kernels in a fifth of the trace: ${kernels}; ${await panel.innerText()}`);
  assert.match(await panel.innerText(), /kernel time/);
  assert.ok((await panel.locator("table.range-ops tr").count()) > 0, "op types in the range");
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("#range-panel").isVisible(), false);
  await noViolations(page, errors);
  await page.close();
});

void test("tables per op type and per node sort and filter", async () => {
  const { page, errors } = await open("ort");
  await page.locator("#tab-ops").click();
  const ops = page.locator("#ops-table");
  await ops.waitFor();
  assert.equal(Number(await ops.getAttribute("data-rows")), 7, "seven op types");
  const firstTotal = async () => page.locator("#ops-table tbody tr").first().locator("td").nth(2).innerText();
  const before = await firstTotal();
  await page.locator('#ops-table th[data-column="totalUs"] button').click();
  await page.locator('#ops-table th[data-column="totalUs"][aria-sort="ascending"]').waitFor();
  assert.notEqual(await firstTotal(), before, "the other way round");
  await page.locator('#ops-table th[data-column="key"] button').click();
  await page.locator('#ops-table th[data-column="key"][aria-sort="ascending"]').waitFor();
  const names = await page.locator("#ops-table tbody tr td:first-child").allInnerTexts();
  assert.deepEqual(
    names,
    [...names].sort((a, b) => a.localeCompare(b)),
    "by name",
  );
  await page.locator("#tab-nodes").click();
  await page.locator("#nodes-table").waitFor();
  assert.equal(Number(await page.locator("#nodes-table").getAttribute("data-rows")), ORT_SHAPE.nodes);
  await page.locator("#filter").fill("matmul");
  await page.waitForFunction(() => document.querySelector("#nodes-table")?.getAttribute("data-rows") !== "60");
  const ops2 = await page.locator("#nodes-table tbody tr td:nth-child(2)").allInnerTexts();
  assert.ok(ops2.length > 0 && ops2.every((o) => o === "MatMul"), ops2.join(","));
  assert.equal((await state(page))?.filter, "matmul");
  await page.screenshot({ path: join(artifacts, "profile-nodes.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("the iteration chart marks the outlier run", async () => {
  const { page, errors } = await open("ort");
  await page.locator("#tab-iterations").click();
  await page.locator("svg.iteration-chart").waitFor();
  assert.equal(await page.locator("svg.iteration-chart rect.bar").count(), ORT_SHAPE.runs);
  const outliers = page.locator("svg.iteration-chart rect.bar.outlier");
  assert.equal(await outliers.count(), 1);
  assert.equal(await outliers.getAttribute("data-run"), "7");
  await page.screenshot({ path: join(artifacts, "profile-iterations.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("warm-up: a trace from elsewhere leaves its first run out by default, the user picks another count", async () => {
  const { page, errors } = await open("foreign");
  await page.locator("#tab-ops").click();
  const control = page.locator("#warmup-control");
  await control.waitFor();
  assert.equal(await control.getAttribute("data-runs"), "1");
  assert.equal(await control.getAttribute("data-reason"), "other-tool");
  assert.match((await page.locator("#warmup-why").textContent()) ?? "", /another tool/);
  /** Kernels the op-type table counts (its Count column summed). */
  const counted = async () => {
    const cells = await page.locator("#ops-table tbody tr td:nth-child(2)").allInnerTexts();
    return cells.reduce((s, c) => s + Number(c.replace(/[^\d]/g, "")), 0);
  };
  assert.equal(await counted(), (ORT_SHAPE.runs - 1) * ORT_SHAPE.nodes, "run 0's kernels left out");
  await page.locator("#tab-iterations").click();
  await page.locator("svg.iteration-chart").waitFor();
  const warm = page.locator("svg.iteration-chart rect.bar.warmup");
  assert.deepEqual(await warm.evaluateAll((bars) => bars.map((b) => b.getAttribute("data-run"))), ["0"]);
  assert.equal(await page.locator("svg.iteration-chart rect.bar").count(), ORT_SHAPE.runs, "every run still drawn");
  await page.locator("#warmup").fill("3");
  await page.locator("#warmup").press("Enter");
  await page.locator('#warmup-control[data-runs="3"][data-reason="user"]').waitFor();
  assert.deepEqual(
    await page
      .locator("svg.iteration-chart rect.bar.warmup")
      .evaluateAll((bars) => bars.map((b) => b.getAttribute("data-run"))),
    ["0", "1", "2"],
  );
  assert.equal((await state(page))?.warmupRuns, 3);
  await page.locator("#tab-ops").click();
  await page.locator('#warmup-control[data-runs="3"]').waitFor();
  assert.equal(await counted(), (ORT_SHAPE.runs - 3) * ORT_SHAPE.nodes);
  // More than the trace has is clamped (as `edge profile --warmup`).
  await page.locator("#warmup").fill("99");
  await page.locator("#warmup").press("Enter");
  await page.locator(`#warmup-control[data-runs="${ORT_SHAPE.runs}"]`).waitFor();
  await page.screenshot({ path: join(artifacts, "profile-warmup.png") });
  await noViolations(page, errors);
  await page.close();
  // A run's profile (its folder is known): the engine wrote only profiled iterations, nothing is left out.
  const run = await open("ort");
  await run.page.locator("#tab-ops").click();
  await run.page.locator('#warmup-control[data-runs="0"][data-reason="engine"]').waitFor();
  assert.equal(await run.page.locator("svg.iteration-chart rect.bar.warmup").count(), 0);
  await run.page.close();
});

void test("compare: the host streams the other profile; per op type and node, before/after/speed-up", async () => {
  const { page, errors } = await open("ort");
  await page.locator("#compare").click();
  assert.ok((await posted(page)).some((m) => m.method === "profile/chooseCompare"));
  await page.locator("#compare-ops").waitFor({ timeout: 15_000 });
  assert.equal(Number(await page.locator("#compare-ops").getAttribute("data-rows")), 7);
  assert.equal(Number(await page.locator("#compare-nodes").getAttribute("data-rows")), ORT_SHAPE.nodes);
  const first = await page.locator("#compare-nodes tbody tr").first().locator("td").allInnerTexts();
  assert.match(first[3], /×$/, `a speed-up: ${first.join(" | ")}`);
  // Named after the files (and their run folders) the host sent with the first chunks, not "the other".
  assert.equal(
    await page.locator("#compare-header").textContent(),
    "Before: ort.json of r1 · After: ort-other.json of 20260102-000000-int8-laptop",
  );
  const headings = await page.locator("#compare-nodes thead th").allInnerTexts();
  assert.ok(
    headings.some((h) => h.includes("Before: ort.json of r1")),
    headings.join(" | "),
  );
  assert.ok(
    headings.some((h) => h.includes("After: ort-other.json of 20260102-000000-int8-laptop")),
    headings.join(" | "),
  );
  // Sorted by what changed most: |after − before| falls down the table.
  const change = (cells: string[]) => Math.abs(parseFloat(cells[2]) - parseFloat(cells[1]));
  const rows = await page
    .locator("#compare-ops tbody tr")
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
  for (let i = 1; i < rows.length; i++) assert.ok(change(rows[i - 1]) >= change(rows[i]) - 0.01, JSON.stringify(rows));
  await page.screenshot({ path: join(artifacts, "profile-compare.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("selecting a kernel asks the host to reveal its node (NodeRef with the run's model and folder)", async () => {
  const { page, errors } = await open("ort");
  const kernels = await zoomToRun(page, 2);
  const c = await canvasBox(page);
  const k = kernels[3];
  await page.mouse.click(c.x + k.x + k.width / 2, c.y + k.y + 8);
  await page.waitForFunction(() =>
    (window as unknown as PageWindow).__posted.some((m) => m.method === "profile/revealNode"),
  );
  const reveal = (await posted(page)).find((m) => m.method === "profile/revealNode")!.params as {
    node: string;
    model: string;
    runDir: string;
  };
  assert.equal(reveal.model, "/models/m.onnx");
  assert.equal(reveal.runDir, "/runs/r1");
  assert.match(reveal.node, /^\/(blocks\.\d+|décodeur)\//);
  assert.equal(await page.locator("#details-panel .slice-name").innerText(), reveal.node);
  assert.equal((await state(page))?.selection?.name, reveal.node);
  await noViolations(page, errors);
  await page.close();
});

void test("the host's highlight (from the graph viewer) marks the node's kernels and selects the first", async () => {
  const { page, errors } = await open("highlight");
  await page.locator(".profile-app[data-highlighted]").waitFor();
  assert.equal(
    await page.locator(".profile-app").getAttribute("data-highlighted"),
    String(ORT_SHAPE.runs),
    "one per run",
  );
  await page.locator('#details-panel .details[data-name="/blocks.2/Relu_8"]').waitFor();
  await win(page, (w) => w.__hostSend("profile/didHighlightKernels", { node: "/blocks.3/Conv_14" }));
  await page.locator('#details-panel .details[data-name="/blocks.3/Conv_14"]').waitFor();
  const highlighted = await win(page, (w) => w.edgeProfile.timeline.highlighted.size);
  assert.equal(highlighted, ORT_SHAPE.runs);
  await page.screenshot({ path: join(artifacts, "profile-highlight.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("live kernels are drawn as they arrive, followed until the user pans away; the final file replaces them", async () => {
  const page = await context.newPage();
  await harness.attach(page);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url.live);
  await page.locator("#progress", { hasText: "Waiting for the live run" }).waitFor();
  for (let i = 0; i < 3; i++) {
    await win(
      page,
      new Function(
        "w",
        `w.__hostSend("profile/didReceiveLiveKernels", ${JSON.stringify({ iteration: i, kernels: liveKernels(i, 60) })})`,
      ) as (w: PageWindow) => void,
    );
    await page.locator(`.profile-app[data-live-drawn="${i}"]`).waitFor({ timeout: 5000 });
  }
  assert.match(await page.locator("#status").innerText(), /\(live\)/);
  assert.equal(await page.locator("#follow").isVisible(), true);
  const followed = await view(page);
  const lastEnd = 1000 + 2 * (60 * 60 + 100) + 59 * 60;
  assert.ok(followed.endUs >= lastEnd, `the view follows the live edge: ${JSON.stringify(followed)}`);
  // Zoom in and pan away: following stops; a new iteration does not move the view.
  await page.locator("canvas.timeline-canvas").focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press("w");
  for (let i = 0; i < 30; i++) await page.keyboard.press("a");
  await page.locator('.profile-app[data-follow="false"]').waitFor();
  const away = await view(page);
  await win(
    page,
    new Function(
      "w",
      `w.__hostSend("profile/didReceiveLiveKernels", ${JSON.stringify({ iteration: 3, kernels: liveKernels(3, 60) })})`,
    ) as (w: PageWindow) => void,
  );
  await page.locator('.profile-app[data-live-drawn="3"]').waitFor();
  assert.deepEqual(await view(page), away, "the view stays where the user put it");
  await page.locator("#follow").click();
  await settle(page);
  assert.ok((await view(page)).endUs >= 1000 + 3 * 3700, "following again");
  await page.screenshot({ path: join(artifacts, "profile-live.png") });
  // The run ends: its profile.json replaces the live kernels.
  await win(page, (w) => w.__hostSend("profile/didEndLiveRun", { ok: true }));
  await win(page, (w) => w.__hostStream("main", "ort.json"));
  await page.waitForFunction(
    () => /20 runs from/.test(document.getElementById("status")?.textContent ?? ""),
    undefined,
    { timeout: 15_000 },
  );
  assert.equal(await page.locator("#follow").isVisible(), false);
  assert.deepEqual(errors, []);
  assert.deepEqual(await win(page, (w) => w.__violations), []);
  await page.close();
});

void test("the window, tab and selection are restored after a reload", async () => {
  const { page, errors } = await open("restore");
  await page.locator("canvas.timeline-canvas").focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press("w");
  await page.keyboard.press("d");
  const v = await view(page);
  await page.locator("#tab-nodes").click();
  await page.locator("#nodes-table").waitFor();
  await page.locator('#nodes-table th[data-column="meanUs"] button').click();
  const saved = await state(page);
  assert.equal(saved?.tab, "nodes");
  assert.deepEqual(saved?.sort, { column: "meanUs", descending: true });
  await open("restore", page);
  await page.locator("#nodes-table").waitFor();
  assert.equal(await page.locator("#nodes-view").isVisible(), true);
  assert.equal(await page.locator('#nodes-table th[data-column="meanUs"]').getAttribute("aria-sort"), "descending");
  const r = await view(page);
  assert.ok(
    Math.abs(r.startUs - v.startUs) < 1e-3 && Math.abs(r.endUs - v.endUs) < 1e-3,
    `${JSON.stringify(r)} vs ${JSON.stringify(v)}`,
  );
  await noViolations(page, errors);
  await page.close();
});

void test("a Chromium trace opens with its named tracks; flow and async events are counted and skipped", async () => {
  const { page, errors } = await open("chromium");
  assert.match(await page.locator("#status").innerText(), /on 2 tracks/);
  assert.match(
    await page.locator("#notes").innerText(),
    /events of phases the timeline does not draw were skipped \(s ×40, f ×40, b ×40, e ×40\)/,
  );
  assert.ok((await slices(page)).length > 0);
  await page.screenshot({ path: join(artifacts, "profile-chromium.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("a Chromium trace's instants and counters are drawn: ticks on their thread, global ones on top, step tracks", async () => {
  const { page, errors } = await open("chromium");
  await page.waitForFunction(
    () => Number(document.querySelector("canvas.timeline-canvas")?.getAttribute("data-marks")) > 0,
  );
  const marks = await win(page, (w) => w.edgeProfile.timeline.visibleMarks());
  const paints = marks.instants.filter((m) => m.name === "firstPaint");
  const global = marks.instants.filter((m) => m.track === -1);
  // Every instant is drawn once: alone, or counted in a merged tick.
  assert.equal(
    paints.reduce((s, m) => s + m.merged, 0),
    40,
  );
  assert.equal(
    global.reduce((s, m) => s + m.merged, 0),
    3,
  );
  assert.ok(
    global.every((m) => m.name === "NavigationStart" && m.y < Math.min(...paints.map((p) => p.y))),
    "on top",
  );
  assert.deepEqual(marks.counters.map((c) => c.label).sort(), ["JSHeap · total", "JSHeap · used"]);
  const c = await canvasBox(page);
  // Hover details: an instant, then a counter's value.
  const tick = paints[Math.floor(paints.length / 2)];
  await page.mouse.move(c.x + tick.x, c.y + tick.y);
  await page.locator('#tooltip .mark-details[data-kind="instant"]').waitFor();
  assert.match(await page.locator("#tooltip").innerText(), /firstPaint/);
  const used = marks.counters.find((k) => k.label === "JSHeap · used")!;
  await page.mouse.move(c.x + tick.x, c.y + used.y + 20);
  await page.locator('#tooltip .mark-details[data-kind="counter"]').waitFor();
  const tip = await page.locator("#tooltip").innerText();
  assert.match(tip, /JSHeap · used/);
  assert.match(tip, /Value\s+1,\d{3}/);
  await page.screenshot({ path: join(artifacts, "profile-marks.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("a cut-off trace shows its events with a note where it stopped", async () => {
  const { page, errors } = await open("truncated");
  const notes = await page.locator("#notes").innerText();
  assert.match(notes, /cut off/);
  assert.match(await page.locator("#status").innerText(), /slices/);
  assert.ok(Number(await page.locator("canvas.timeline-canvas").getAttribute("data-rects")) > 0);
  await noViolations(page, errors);
  await page.close();
});

void test("a JSON file that is not a trace, and a file that is not JSON, say so plainly", async () => {
  for (const [name, reason] of [
    ["notTrace", /not a Chrome trace: an object without traceEvents/],
    ["notJson", /not a Chrome trace: it starts with/],
  ] as const) {
    const { page, errors } = await open(name);
    const alert = page.locator(".open-error[role=alert]");
    assert.match(await alert.innerText(), /not a trace the profile viewer can read/);
    assert.match(await alert.innerText(), reason);
    await page.screenshot({ path: join(artifacts, `profile-${name}.png`) });
    await noViolations(page, errors);
    await page.close();
  }
});

void test("a real onnxruntime profile from `edge run` (profile: true): its runs and kernels", async (t) => {
  if (!url.real) return t.skip("edge run wrote no profile.json (onnxruntime unavailable?)");
  const { page, errors } = await open("real");
  const status = await page.locator("#status").innerText();
  const runs = Number(/([\d,]+) runs/.exec(status)?.[1]);
  assert.ok(runs >= 1 && runs <= 6, `the profiled model_runs (of 1 warm-up + 5 iterations): ${status}`);
  await page.locator("#tab-ops").click();
  await page.locator("#ops-table").waitFor();
  const ops = await page.locator("#ops-table tbody tr td:first-child").allInnerTexts();
  assert.ok(ops.includes("Conv"), ops.join(","));
  const kernels = await zoomToRun(page, runs - 1);
  const c = await canvasBox(page);
  await page.mouse.move(c.x + kernels[0].x + kernels[0].width / 2, c.y + kernels[0].y + 8);
  await page.locator("#tooltip table.args").waitFor();
  assert.match(await page.locator("#tooltip").innerText(), /inputs\s+float\[/);
  await page.screenshot({ path: join(artifacts, "profile-real.png") });
  await noViolations(page, errors);
  await page.close();
});
