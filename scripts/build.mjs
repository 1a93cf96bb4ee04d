// One build script for every entry: node bundles (engine CLI, language server and its worker), the extension host's bundle
// and browser bundles (the webview apps). Prints each output's size from esbuild's metafile.
import * as esbuild from "esbuild";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { relative } from "node:path";

const watch = process.argv.includes("--watch");

/** Node entries: [source, output]. Entries whose source does not exist yet are skipped with a note. */
const nodeEntries = [
  ["engine/cli/main.ts", "dist/engine/cli.js"],
  // The generation thread of `run.generate` (engine/run/generate-thread.ts finds it beside the CLI bundle).
  ["engine/run/generate-worker.ts", "dist/engine/generate-worker.js"],
  // The language server, and the worker thread it reads models in (loaded by path from beside the server bundle).
  // `edge lsp` imports dist/language-server/server.js at run time, so the CLI bundle does not contain the server.
  ["language-server/server.ts", "dist/language-server/server.js"],
  ["language-server/world/model-summary-worker.ts", "dist/language-server/model-summary-worker.js"],
];
/**
 * The device runner (engine/device-runner): one CommonJS file for node >= 20 on a device, pushed in a runner bundle
 * (engine/devices/runner-bundle.ts) with onnxruntime-node beside it in node_modules/. Not minified: its stack traces
 * come back from devices.
 */
const deviceRunnerEntries = [
  ["engine/device-runner/main.ts", "dist/device-runner.cjs"],
  // Its generation thread (engine/run/generate-worker.ts), generate-worker.cjs beside runner.cjs in the bundle.
  ["engine/run/generate-worker.ts", "dist/device-runner-generate-worker.cjs"],
];
/** Extension-host entries: CommonJS (package.json is ESM, so `main` names a .cjs), `vscode` provided by the host. */
const extensionEntries = [
  ["extension/main.ts", "dist/extension/main.cjs"],
  // The graph viewer's worker thread (reads models with engine/graph off the host's thread), loaded by path.
  ["extension/graph/graph-worker.ts", "dist/extension/graph-worker.cjs"],
];
/** Browser entries (webview apps), bundled as IIFE for a CSP that allows only our nonce'd script. */
const browserEntries = [
  ["webviews/report/main.ts", "dist/webviews/report/main.js"], // + main.css (imported by the app)
  ["webviews/graph/main.ts", "dist/webviews/graph/main.js"], // + main.css; embeds the layout worker (below)
  ["webviews/profile/main.ts", "dist/webviews/profile/main.js"], // + main.css; embeds the trace worker (below)
];
/**
 * Web workers of browser entries: [worker source, the entry that embeds it, the global it is defined as]. A VS Code
 * webview cannot start a Worker from a resource URL (cross-origin), so the worker is bundled first and its text is
 * put into the app's bundle, which starts it from a Blob (the page's CSP allows `worker-src blob:`). Built once per
 * run: under --watch a worker change needs a restart.
 */
const browserWorkers = [
  ["webviews/graph/worker/layout-worker.ts", "webviews/graph/main.ts", "GRAPH_LAYOUT_WORKER_SOURCE"],
  ["webviews/profile/worker/trace-worker.ts", "webviews/profile/main.ts", "PROFILE_TRACE_WORKER_SOURCE"],
];

// CommonJS dependencies (ajv, yaml) call require() for node built-ins; give the ESM bundle a real require.
const requireShim =
  "import { createRequire as __edgeCreateRequire } from 'node:module'; const require = __edgeCreateRequire(import.meta.url);";

const jobs = [];
for (const [src, out] of nodeEntries) {
  if (!existsSync(src)) continue;
  jobs.push({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    metafile: true,
    banner: { js: requireShim },
    external: ["onnxruntime-node"], // native addon: loaded from node_modules at run time
  });
}
for (const [src, out] of deviceRunnerEntries) {
  if (!existsSync(src)) continue;
  jobs.push({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    metafile: true,
    external: ["onnxruntime-node"], // resolved from the bundle's own node_modules/ on the device
    // Engine modules find their files from import.meta.url (engine/run/generate-thread.ts its thread's script); in
    // CommonJS it is the bundle's own file URL.
    define: { "import.meta.url": "__edgeImportMetaUrl" },
    banner: { js: 'const __edgeImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
}
for (const [src, out] of extensionEntries) {
  if (!existsSync(src)) continue;
  jobs.push({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "linked",
    metafile: true,
    external: ["vscode"],
    // Engine modules find their files from import.meta.url (e.g. engine/graph's PNG assets); in CommonJS it is the
    // bundle's own file URL.
    define: { "import.meta.url": "__edgeImportMetaUrl" },
    banner: { js: 'const __edgeImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    // The host bundle's goal is ≤ 1 MB (issue 5): minified (names kept for logs and errors), the map gives stack traces.
    minify: true,
    keepNames: true,
  });
}
for (const [src, out] of browserEntries) {
  if (!existsSync(src)) continue;
  const define = {};
  for (const [workerSrc, entry, name] of browserWorkers) {
    if (entry !== src) continue;
    const worker = await esbuild.build({
      entryPoints: [workerSrc],
      bundle: true,
      platform: "browser",
      format: "iife",
      target: "es2022",
      minify: true,
      write: false,
      logLevel: "warning",
    });
    define[name] = JSON.stringify(worker.outputFiles[0].text);
    console.log(
      `built ${workerSrc} (embedded in ${out}) ${(worker.outputFiles[0].contents.length / 1000).toFixed(1)} kB`,
    );
  }
  jobs.push({
    define,
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    sourcemap: "linked",
    metafile: true,
    minify: true,
  });
}

let failed = false;
for (const options of jobs) {
  try {
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
    } else {
      const result = await esbuild.build({ ...options, logLevel: "warning" });
      for (const file of Object.keys(result.metafile.outputs)) {
        if (file.endsWith(".map")) continue;
        console.log(`built ${relative(".", file)} ${(statSync(file).size / 1000).toFixed(1)} kB`);
      }
    }
  } catch {
    failed = true;
  }
}
// Codicons for the webviews, copied beside their bundles (a webview may load only from dist/webviews).
mkdirSync("dist/webviews/codicons", { recursive: true });
for (const file of ["codicon.css", "codicon.ttf"])
  copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webviews/codicons/${file}`);
// `edge graph --png` renders with resvg's WebAssembly and the DejaVu Sans font, found beside the CLI bundle
// (engine/graph/render-image.ts); the .vsix ships them from there.
mkdirSync("dist/engine", { recursive: true });
copyFileSync("node_modules/@resvg/resvg-wasm/index_bg.wasm", "dist/engine/resvg.wasm");
copyFileSync("node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf", "dist/engine/DejaVuSans.ttf");
if (failed) process.exit(1);
