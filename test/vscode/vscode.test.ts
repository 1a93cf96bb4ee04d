// The real-VS-Code suites inside `npm test`: installs code-server on first use (skipped once done), then runs the
// extension-host suite (test/vscode/suite/), its untrusted-workspace variant and the UI suite (ui-suite.ts) on the
// newest VS Code, and the extension-host suite again on the oldest VS Code that engines.vscode admits, each reported
// check by check. Logs, the extension host's console and screenshots are kept under test-artifacts/vscode/.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, test } from "node:test";
import {
  ensureCodeServer,
  missingPrerequisite,
  OLDEST_BUILD,
  runExtensionHostSuite,
  suiteLogName,
  type SuiteResult,
} from "./harness";
import { runUiSuite } from "./ui-suite";
import { makeWorkspace } from "./workspace";

const workspaces: string[] = [];
after(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

function workspace(): string {
  const dir = makeWorkspace();
  workspaces.push(dir);
  return dir;
}

async function report(t: test.TestContext, results: SuiteResult[]): Promise<void> {
  for (const r of results) {
    await t.test(r.name, () => {
      if (!r.ok) assert.fail(r.error ?? "failed");
    });
  }
}

void test("real VS Code (code-server + Chromium)", { timeout: 15 * 60_000 }, async (t) => {
  const missing = missingPrerequisite();
  assert.equal(missing, undefined, missing);
  const setup = ensureCodeServer();
  t.diagnostic(
    setup.skipped
      ? "setup: code-server already installed"
      : `setup: installed code-server in ${(setup.durationMs / 1000).toFixed(0)} s`,
  );

  await t.test("extension-host suite", async (t) => {
    const started = performance.now();
    const { exitCode, results } = await runExtensionHostSuite(workspace());
    t.diagnostic(
      `extension-host suite: ${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length} failed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.ok(
      results.length > 0,
      `the suite reported no results (exit code ${exitCode}); see test-artifacts/vscode/exthost-console.log`,
    );
    await report(t, results);
    assert.equal(exitCode, 0, "codeAutomationExit code");
  });

  await t.test("extension-host suite (untrusted workspace)", async (t) => {
    const { exitCode, results } = await runExtensionHostSuite(workspace(), undefined, { untrusted: true });
    assert.ok(
      results.length > 0,
      `the suite reported no results (exit code ${exitCode}); see test-artifacts/vscode/exthost-untrusted-console.log`,
    );
    await report(t, results);
    assert.equal(exitCode, 0, "codeAutomationExit code");
  });

  await t.test("UI suite", async (t) => {
    const started = performance.now();
    const results = await runUiSuite(workspace());
    t.diagnostic(
      `UI suite: ${results.filter((r) => r.ok).length} passed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await report(t, results);
  });

  await t.test(`extension-host suite (VS Code ${OLDEST_BUILD.vscodeVersion})`, async (t) => {
    const started = performance.now();
    const { exitCode, results } = await runExtensionHostSuite(workspace(), undefined, { build: OLDEST_BUILD });
    t.diagnostic(
      `extension-host suite on VS Code ${OLDEST_BUILD.vscodeVersion}: ${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length} failed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.ok(
      results.length > 0,
      `the suite reported no results (exit code ${exitCode}); see test-artifacts/vscode/${suiteLogName("exthost", OLDEST_BUILD)}-console.log`,
    );
    await report(t, results);
    assert.equal(exitCode, 0, "codeAutomationExit code");
  });
});
