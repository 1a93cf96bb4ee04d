// What the local machine is, for reports: results only compare between runs on like machines.
import { arch, availableParallelism, cpus, release, totalmem, type } from "node:os";

export interface HostInfo {
  /** e.g. "Linux 6.1.0-18-amd64 (x64)". */
  os: string;
  platform: NodeJS.Platform;
  arch: string;
  cpuModel: string;
  /** Logical CPUs this process may use. */
  cores: number;
  totalMemoryBytes: number;
  nodeVersion: string;
  onnxruntimeVersion: string;
}

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
