// What the engine knows of a device: its probe (what `edge devices --json` prints per device, what a device run's
// report.json carries) and the listing of the devices one can run on. Plain JSON-ready data.

export type DeviceKind = "local" | "ssh" | "adb";

/** What a transport's `probe` found on a device. Fields it could not read are absent. */
export interface DeviceProbe {
  /** `uname -s` lowercased ("linux", "darwin"); Android devices say "linux" here and fill `android`. */
  os: string;
  /** Node's arch names: "x64", "arm64", "arm", "ia32" (from `uname -m` or `ro.product.cpu.abi`). */
  arch: string;
  /** Android ABI ("arm64-v8a", "x86_64") or the `uname -m` string elsewhere. */
  abi: string;
  /** Kernel release (`uname -r`). */
  kernel?: string;
  /** Logical CPUs online. */
  cores?: number;
  totalMemoryBytes?: number;
  availableMemoryBytes?: number;
  /** The work directory on the device and the free space of its file system. */
  workdir: string;
  freeBytes?: number;
  /** From `getprop` on Android. */
  android?: { release?: string; sdk?: number; manufacturer?: string; model?: string; soc?: string; device?: string };
  /** A node on the device's PATH (or `runner_path`), when there is one. */
  node?: { path: string; version: string };
  /** Runner bundles already cached in the work directory (their content hashes). */
  cachedRunners?: string[];
}

/** One device `edge devices` lists. */
export interface DeviceListing {
  /** Recipe device name, ssh host alias, adb serial, or "local". */
  name: string;
  kind: DeviceKind;
  /** adb: the serial; ssh: `user@host:port` as given; local: the host name. */
  address: string;
  /** adb's state ("device", "offline", "unauthorized", …); "reachable"/"unreachable" for ssh; "ready" for local. */
  state: string;
  /** Where the entry came from: "adb", "ssh-config", "recipe", "local". */
  source: string;
  /** adb's `model:` field or the probe's Android model. */
  model?: string;
  probe?: DeviceProbe;
  /** Why the probe failed, when it did (code and message of the EdgeError). */
  error?: { code: string; message: string };
}
