// The device runner's public surface for the host: the plan file it takes, the files it writes, its exit codes and
// the samples file format. The runner itself is the bundle built from main.ts (dist/device-runner.cjs).
export { type DeviceRunPlan, RUNNER_FILES, readPlanFile, runnerExitCodes } from "./plan-file";
export { SAMPLES_MAGIC, decodeSamples, encodeSamples } from "./samples-file";
export type { SavedOutputs, SavedTensor } from "./save-outputs";
