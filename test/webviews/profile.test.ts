// The profile viewer in a real browser (Debian Chromium through playwright-core, the standalone harness: see
// profile-page.ts), on generated onnxruntime traces streamed by a fake host in chunks: the timeline and its keys,
// hover details, range summaries, tables, iterations, warm-up, compare, and the links to the graph viewer. Fails
// on any CSP violation or page error. profile-traces.test.ts has live runs, reloads and other kinds of traces.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifacts,
  canvasBox,
  noViolations,
  open,
  posted,
  state,
  useProfilePages,
  view,
  win,
  zoomToRun,
  type PageWindow,
} from "./profile-page";
import { ORT_SHAPE } from "./profile-harness/fixtures";

useProfilePages({ real: false });

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
