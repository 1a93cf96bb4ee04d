// `npm run test:vscode:electron`: the same extension-host suite under VS Code desktop through @vscode/test-electron,
// for machines that can download VS Code (these CI machines cannot: there `npm test` runs it in code-server).
// Set EDGE_VSCODE_VERSION to pick a version (default: the minimum in package.json's engines, then "stable").
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runTests } from "@vscode/test-electron";
import { buildSuite } from "./harness";
import { makeWorkspace, repoRoot } from "./workspace";

const engines = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { engines: { vscode: string } })
  .engines;
const minimum = engines.vscode.replace(/^\^/, "");
const suite = await buildSuite();
const workspace = makeWorkspace();
const versions = process.env.EDGE_VSCODE_VERSION ? [process.env.EDGE_VSCODE_VERSION] : [minimum, "stable"];
let failed = 0;
for (const version of versions) {
  try {
    await runTests({
      version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite,
      launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust"],
    });
    console.log(`VS Code ${version}: passed`);
  } catch (error) {
    failed++;
    console.error(`VS Code ${version}: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
console.log(`${versions.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
