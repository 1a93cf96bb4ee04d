// What the local machine is, for reports: results only compare between runs on like machines.
// The type is the reports' (common/measurements.ts).
import { arch, availableParallelism, cpus, release, totalmem, type } from "node:os";
import type { HostInfo } from "../../common/measurements";

export type { HostInfo } from "../../common/measurements";

export function hostInfo(onnxruntimeVersion: string): HostInfo {
  const cpu = cpus()[0];
  return {
    os: `${type()} ${release()} (${arch()})`,
    platform: process.platform,
    arch: arch(),
    cpuModel: cpu?.model?.trim() || "unknown",
    cores: availableParallelism(),
    totalMemoryBytes: totalmem(),
    nodeVersion: process.version,
    onnxruntimeVersion,
  };
}
