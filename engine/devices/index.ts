// Device runs and listings: the engine's public face for reaching devices (the pipeline, the CLI, the extension).
export { listDevices, watchDevices, type ListDevicesOptions } from "./list-devices";
export { defaultWorkdirs, openDevice, type DeviceTools, type OpenedDevice } from "./open-device";
export { runOnDevice, type DeviceRunOptions } from "./remote-run";
export { runPerfTestOnDevice, type PerfTestRunOptions } from "./perf-test-run";
export { prepareRunnerBundle, type RunnerBundle } from "./runner-bundle";
