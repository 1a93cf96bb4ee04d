// The profile viewer's browser tests' page: trace files written once per test file, the standalone harness
// (profile-harness/) serving the built bundle with the host's page and CSP to headless Debian Chromium, one scenario
// per trace, and what the tests ask of the page (its window's test hooks, the timeline's slices, CSP violations).
// Used by profile.test.ts and profile-traces.test.ts. `npm run build` first.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { ProfileViewState } from "../../webviews/protocol/profile";
import { writeTraceFiles, type TraceFiles } from "./profile-harness/fixtures";
import { chromiumArgs, chromiumPath, repoRoot, startHarness, type Harness } from "./profile-harness/harness";

export const artifacts = join(repoRoot, "test-artifacts", "webviews");
export const dir = mkdtempSync(join(tmpdir(), "edge-profile-webview-"));
export let files: TraceFiles;
export let harness: Harness;
export let context: BrowserContext;
export const url: Record<string, string> = {};

export interface Rect {
  slice: number;
  track: number;
  depth: number;
  x: number;
  y: number;
  width: number;
}
export interface PageWindow {
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

export const source = (file: string, extra: Record<string, unknown> = {}) => ({
  path: join(dir, file),
  label: file,
  ...extra,
});

/**
 * Registers the file's before/after hooks: trace files (with a real `edge run` profile when `real`), the harness
 * with every scenario, and a headless Chromium.
 */
export function useProfilePages(o: { real: boolean }): void {
  before(async () => {
    files = await writeTraceFiles(dir, { real: o.real });
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
}

export async function open(name: string, page?: Page): Promise<{ page: Page; errors: string[] }> {
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

export const win = <T>(page: Page, f: (w: PageWindow) => T): Promise<T> => page.evaluate(`(${f.toString()})(window)`);
export const posted = (page: Page) => win(page, (w) => w.__posted);
export const view = (page: Page) => win(page, (w) => ({ ...w.edgeProfile.timeline.view }));
export const slices = (page: Page) => win(page, (w) => w.edgeProfile.timeline.visibleSlices(2000));
export const state = async (page: Page) => {
  await page.waitForTimeout(300);
  return win(page, (w) => w.acquireVsCodeApi().getState());
};
export const settle = (page: Page) =>
  page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 150)));

export async function noViolations(page: Page, errors: string[]): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  assert.deepEqual([...(await win(page, (w) => w.__violations)), ...errors], [], "CSP violations or page errors");
}

/** Zooms the timeline onto run `run` of the ORT trace through the iterations tab, and waits for its kernels. */
export async function zoomToRun(page: Page, run: number): Promise<Rect[]> {
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

export async function canvasBox(page: Page) {
  return (await page.locator("canvas.timeline-canvas").boundingBox())!;
}
