// A workspace that names hostile files cannot take the language server down: a recipe whose model is /dev/zero
// (endless bytes), a named pipe (an open that would block forever) or a run's quant-error.json that links to
// /dev/zero. The built server is spawned over real LSP; each case checks that diagnostics are published with the
// model problem at `model.path`, that the server's memory stays bounded (its RSS, sampled while it works), and that
// `shutdown` is answered and the process ends after `exit`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic } from "vscode-languageserver-protocol/node";
import { ensureBuilt, SERVER_BUNDLE } from "../../bench/lsp/ensure-built";
import { LspProcess } from "../../bench/lsp/lsp-process";
import { tempFolder } from "./model-fixtures";

const root = resolve(import.meta.dirname, "..", "..");
ensureBuilt(root);

/** The server's resident memory may not pass this, whatever the workspace holds. */
const RSS_LIMIT_BYTES = 1e9;
/** A hang fails the test (long enough for a loaded machine, short enough to notice). */
const CASE_TIMEOUT_MS = 90_000;

function recipeNaming(modelPath: string): string {
  return [
    "name: hostile",
    "model:",
    `  path: ${modelPath}`,
    "devices:",
    "  laptop: { local: {} }",
    "run:",
    "  device: laptop",
    "",
  ].join("\n");
}

function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Watches the server's RSS every 50 ms: above the limit the server is killed at once (so a regression fails fast
 * instead of eating the machine) and the peak is reported.
 */
function watchMemory(server: LspProcess): { stop(): number; readonly peak: number } {
  let peak = 0;
  const timer = setInterval(() => {
    const rss = rssBytes(server.child.pid!);
    peak = Math.max(peak, rss);
    if (rss > RSS_LIMIT_BYTES) server.child.kill("SIGKILL");
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
    get peak() {
      return peak;
    },
  };
}

/** Opens the recipe, waits for its diagnostics, checks memory, then shutdown and exit. */
async function openAndStop(dir: string, text: string): Promise<Diagnostic[]> {
  const server = new LspProcess({
    name: "edge",
    command: [process.execPath, join(root, SERVER_BUNDLE), "--stdio"],
    cwd: dir,
  });
  const memory = watchMemory(server);
  try {
    await server.initialize(pathToFileURL(dir).href);
    const uri = pathToFileURL(join(dir, "hostile.edge.yaml")).href;
    const published = server.nextDiagnostics(uri, 1, 30_000);
    await server.notify("textDocument/didOpen", {
      textDocument: { uri, languageId: "edge-recipe", version: 1, text },
    });
    const diagnostics = await Promise.race([
      published,
      server.exited.then((code) =>
        Promise.reject(
          new Error(
            `the server ended (code ${code}) before diagnostics; its RSS reached ${(memory.peak / 1e6).toFixed(0)} MB`,
          ),
        ),
      ),
    ]);
    // A little longer, so memory that keeps growing after the publish is seen too.
    await new Promise((r) => setTimeout(r, 1000));
    const peak = memory.stop();
    assert.ok(peak < RSS_LIMIT_BYTES, `the server's RSS reached ${(peak / 1e6).toFixed(0)} MB`);

    await server.request("shutdown", null, 5_000);
    await server.notify("exit", null);
    const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
    const code = await server.exited;
    clearTimeout(timer);
    assert.equal(code, 0, `the server did not end by itself after exit (code ${code}, stderr: ${server.stderr})`);
    return diagnostics.diagnostics;
  } finally {
    memory.stop();
    if (server.exitCode === undefined) server.child.kill("SIGKILL");
    server.connection.dispose();
  }
}

function modelPathDiagnostic(diagnostics: Diagnostic[], pattern: RegExp): Diagnostic {
  const found = diagnostics.find((d) => d.range.start.line === 2 && pattern.test(String(d.message)));
  assert.ok(found, `no diagnostic at model.path matching ${pattern}: ${JSON.stringify(diagnostics)}`);
  return found;
}

void test(
  "model.path /dev/zero: diagnostics at model.path, bounded memory, shutdown and exit",
  { timeout: CASE_TIMEOUT_MS },
  async () => {
    const temp = tempFolder("edge-hostile-");
    try {
      const diagnostics = await openAndStop(temp.dir, recipeNaming("/dev/zero"));
      modelPathDiagnostic(diagnostics, /not a regular file|device/);
    } finally {
      temp.remove();
    }
  },
);

void test(
  "a named pipe as the model: diagnostics at model.path, shutdown answered, the process exits",
  { timeout: CASE_TIMEOUT_MS },
  async () => {
    const temp = tempFolder("edge-hostile-");
    try {
      execFileSync("mkfifo", [join(temp.dir, "model.onnx")]);
      const diagnostics = await openAndStop(temp.dir, recipeNaming("model.onnx"));
      modelPathDiagnostic(diagnostics, /named pipe|not a regular file/);
    } finally {
      temp.remove();
    }
  },
);

void test(
  "a run's quant-error.json linked to /dev/zero, or a named pipe: diagnostics published, memory bounded",
  { timeout: CASE_TIMEOUT_MS },
  async () => {
    const temp = tempFolder("edge-hostile-");
    try {
      writeFileSync(join(temp.dir, "model.onnx"), "not a model\n");
      const runs = join(temp.dir, ".edge", "runs");
      mkdirSync(join(runs, "20250101-000000-hostile-laptop"), { recursive: true });
      symlinkSync("/dev/zero", join(runs, "20250101-000000-hostile-laptop", "quant-error.json"));
      mkdirSync(join(runs, "20250102-000000-hostile-laptop"), { recursive: true });
      execFileSync("mkfifo", [join(runs, "20250102-000000-hostile-laptop", "quant-error.json")]);
      const diagnostics = await openAndStop(temp.dir, recipeNaming("model.onnx"));
      modelPathDiagnostic(diagnostics, /ONNX/);
    } finally {
      temp.remove();
    }
  },
);
