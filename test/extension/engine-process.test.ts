// Choosing the engine's Node, and starting the engine CLI as a process (extension/run/engine-process.ts).
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { resolve } from "node:path";
import { EngineNodeError, chooseEngineNode, startEngine } from "../../extension/run/engine-process";

const repoRoot = resolve(import.meta.dirname, "..", "..");

void test("edge.node.path wins; else the host's Node ≥ 20; under Electron it runs as Node", () => {
  assert.deepEqual(
    chooseEngineNode("/opt/node/bin/node", { execPath: "/x", versions: { ...process.versions, node: "18.0.0" } }),
    { command: "/opt/node/bin/node", env: {} },
  );
  assert.deepEqual(
    chooseEngineNode(undefined, { execPath: "/usr/bin/node", versions: { ...process.versions, node: "22.1.0" } }),
    { command: "/usr/bin/node", env: {} },
  );
  assert.deepEqual(
    chooseEngineNode(undefined, {
      execPath: "/code",
      versions: { ...process.versions, node: "22.1.0", electron: "39.0.0" },
    }).env,
    { ELECTRON_RUN_AS_NODE: "1" },
  );
  assert.throws(
    () => chooseEngineNode(undefined, { execPath: "/x", versions: { ...process.versions, node: "18.19.0" } }),
    (e: unknown) => e instanceof EngineNodeError && /edge\.node\.path/.test(e.message),
  );
});

void test("the engine runs from bin/edge.js; stdout that is not an event goes to the output", async () => {
  const output: string[] = [];
  const engine = startEngine({
    node: chooseEngineNode(undefined),
    extensionPath: repoRoot,
    args: ["--version"],
    cwd: repoRoot,
    onEvent: () => assert.fail("no events"),
    onOutput: (t) => output.push(t),
  });
  assert.deepEqual(await engine.exited, { code: 0, signal: null });
  assert.match(output.join(""), /^\d+\.\d+\.\d+/);
});

void test("a Node that does not exist is an exit code and a message naming the setting", async () => {
  const output: string[] = [];
  const engine = startEngine({
    node: { command: "/nonexistent/node", env: {} },
    extensionPath: repoRoot,
    args: ["--version"],
    cwd: repoRoot,
    onEvent: () => {},
    onOutput: (t) => output.push(t),
  });
  assert.equal((await engine.exited).code, 127);
  assert.match(output.join(""), /edge\.node\.path/);
});
