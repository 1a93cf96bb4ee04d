// Shared by the tests that start the device runner from a real bundle (runner.test.ts, generate-device.test.ts): the
// runner bundle for this machine (linux, this CPU, this node as the device's: it is >= 20, so the bundle carries
// none), prepared in a temporary cache before the file's tests and pushed file by file into a temporary "device"
// folder (runner-helpers.ts's pushBundle), and the argv that starts it there. Needs `npm run build`
// (dist/device-runner.cjs).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { before } from "node:test";
import { type RunnerBundle, prepareRunnerBundle } from "../../engine/devices/runner-bundle";
import { RUNNER_DIST, pushBundle, tempDir } from "./runner-helpers";

export interface LocalBundle {
  /** The "device" folder (its runs' work folders go in it). */
  readonly device: string;
  /** The bundle; ready once the file's `before` hooks ran. */
  readonly bundle: RunnerBundle;
  /** Where it was pushed: `<device>/runners/<hash>/`. */
  readonly runnerDir: string;
  /** The argv that starts the pushed runner on a plan file. */
  launch(plan: string): string[];
}

/**
 * Prepares and pushes the bundle before the calling file's tests (temporary folders `edge-<name>-cache-…` and
 * `edge-<name>-device-…`, removed when the file ends).
 */
export function useLocalBundle(name: string): LocalBundle {
  const cacheDir = tempDir(`edge-${name}-cache-`);
  const device = tempDir(`edge-${name}-device-`);
  let ready: { bundle: RunnerBundle; runnerDir: string } | undefined;
  before(async () => {
    assert.ok(existsSync(RUNNER_DIST), `${RUNNER_DIST} is missing: run \`npm run build\` first`);
    const bundle = await prepareRunnerBundle({
      os: "linux",
      arch: process.arch,
      nodeOnDevice: { path: process.execPath, version: process.version },
      cacheDir,
    });
    ready = { bundle, runnerDir: pushBundle(bundle, device) };
  });
  const get = () => {
    assert.ok(ready, "the runner bundle is prepared in a before hook: use it inside tests");
    return ready;
  };
  return {
    device,
    get bundle() {
      return get().bundle;
    },
    get runnerDir() {
      return get().runnerDir;
    },
    launch: (plan) => [...get().bundle.launch(get().runnerDir).argv, plan],
  };
}
