// What a device is, read by one POSIX sh script through any transport's `exec`: the same script serves ssh
// (Linux, macOS), adb (Android's toybox sh) and the local machine on POSIX hosts. It prints `key=value` lines; the
// parser is pure and takes what it finds (a field the device cannot tell is left out, never guessed).
import type { DeviceProbe } from "../../common/devices";
import { EdgeError } from "../errors";
import { shellPath, shellQuote } from "./shell-quote";
import type { ExecResult, Transport } from "./transport";

/** The folder of cached runner bundles inside a device's work directory. */
export const RUNNERS_DIR = "runners";

const androidProps: Record<string, string> = {
  "ro.build.version.release": "android.release",
  "ro.build.version.sdk": "android.sdk",
  "ro.product.manufacturer": "android.manufacturer",
  "ro.product.model": "android.model",
  "ro.soc.model": "android.soc",
  "ro.board.platform": "android.board",
  "ro.product.device": "android.device",
  "ro.product.cpu.abi": "android.abi",
};

/**
 * The probe script for a work directory and an optional node to ask for its version. The work directory is created
 * when missing, unless `look` (listing devices changes nothing on them): then free space is that of its nearest
 * existing folder.
 */
export function probeScript(workdir: string, nodePath?: string, look = false): string {
  const wd = shellPath(workdir);
  const node = nodePath ? shellQuote(nodePath) : "node";
  const props = Object.entries(androidProps)
    .map(([prop, key]) => `echo ${key}=$(getprop ${prop})`)
    .join("; ");
  return [
    `echo os=$(uname -s); echo machine=$(uname -m); echo kernel=$(uname -r)`,
    `echo cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo 2>/dev/null)`,
    `if [ -r /proc/meminfo ]; then sed -n -e 's/^MemTotal: *\\([0-9]*\\) kB/memtotal_kb=\\1/p' -e 's/^MemAvailable: *\\([0-9]*\\) kB/memavail_kb=\\1/p' /proc/meminfo; fi`,
    `if command -v sysctl >/dev/null 2>&1 && [ ! -r /proc/meminfo ]; then echo memtotal_b=$(sysctl -n hw.memsize 2>/dev/null); fi`,
    `if command -v getprop >/dev/null 2>&1; then ${props}; fi`,
    look
      ? `d=${wd}; while [ ! -d "$d" ] && [ "$d" != / ] && [ "$d" != . ]; do d=$(dirname "$d"); done; if [ -d ${wd} ]; then cd ${wd} && echo workdir=$(pwd -P); fi; echo "df=$(df -k "$d" 2>/dev/null | tail -n 1)"`
      : `mkdir -p ${wd} 2>/dev/null; if cd ${wd} 2>/dev/null; then echo workdir=$(pwd -P); echo "df=$(df -k . 2>/dev/null | tail -n 1)"; else echo workdir_error=1; fi`,
    `if [ -d ${RUNNERS_DIR} ] && [ "$(pwd -P)" = "$(cd ${wd} 2>/dev/null && pwd -P)" ]; then for r in ${RUNNERS_DIR}/*/ready; do [ -f "$r" ] && echo runner="$r"; done; fi`,
    `if command -v ${node} >/dev/null 2>&1; then echo node_path=$(command -v ${node}); echo node_version=$(${node} --version 2>/dev/null); fi`,
    `true`,
  ].join("\n");
}

const archOf: Record<string, string> = {
  x86_64: "x64",
  amd64: "x64",
  aarch64: "arm64",
  arm64: "arm64",
  "arm64-v8a": "arm64",
  armv7l: "arm",
  armv8l: "arm",
  "armeabi-v7a": "arm",
  i686: "ia32",
  i386: "ia32",
  x86: "ia32",
};

/** Parses the probe script's output. `fallbackWorkdir` is used when the script could not resolve it. */
export function parseProbe(output: string, fallbackWorkdir: string): DeviceProbe & { workdirError?: boolean } {
  const kv = new Map<string, string>();
  const runners: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "runner") {
      const m = /runners\/([^/]+)\/ready$/.exec(value);
      if (m) runners.push(m[1]);
    } else if (value !== "" && !kv.has(key)) kv.set(key, value);
  }
  const int = (key: string) => {
    const v = kv.get(key);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const machine = kv.get("machine") ?? "unknown";
  const abi = kv.get("android.abi") ?? machine;
  const probe: DeviceProbe & { workdirError?: boolean } = {
    os: (kv.get("os") ?? "unknown").toLowerCase(),
    arch: archOf[abi] ?? archOf[machine] ?? machine,
    abi,
    workdir: kv.get("workdir") ?? fallbackWorkdir,
  };
  if (kv.has("kernel")) probe.kernel = kv.get("kernel");
  const cores = int("cores");
  if (cores) probe.cores = cores;
  const memKb = int("memtotal_kb");
  if (memKb) probe.totalMemoryBytes = memKb * 1024;
  else if (int("memtotal_b")) probe.totalMemoryBytes = int("memtotal_b");
  const availKb = int("memavail_kb");
  if (availKb) probe.availableMemoryBytes = availKb * 1024;
  // df -k: "Filesystem 1K-blocks Used Available Use% Mounted-on" (the last line; a long device name may wrap).
  const df = kv.get("df")?.split(/\s+/) ?? [];
  const pct = df.findIndex((f) => /^\d+%$/.test(f));
  if (pct >= 1 && /^\d+$/.test(df[pct - 1])) probe.freeBytes = Number(df[pct - 1]) * 1024;
  if ([...kv.keys()].some((k) => k.startsWith("android."))) {
    const sdk = int("android.sdk");
    probe.android = {
      release: kv.get("android.release"),
      sdk,
      manufacturer: kv.get("android.manufacturer"),
      model: kv.get("android.model"),
      soc: kv.get("android.soc") ?? kv.get("android.board"),
      device: kv.get("android.device"),
    };
    for (const k of Object.keys(probe.android) as (keyof NonNullable<DeviceProbe["android"]>)[]) {
      if (probe.android[k] === undefined) delete probe.android[k];
    }
    probe.os = "android";
  }
  const nodeVersion = kv.get("node_version");
  if (kv.has("node_path") && nodeVersion && /^v\d+\./.test(nodeVersion)) {
    probe.node = { path: kv.get("node_path")!, version: nodeVersion };
  }
  if (runners.length) probe.cachedRunners = runners;
  if (kv.has("workdir_error")) probe.workdirError = true;
  return probe;
}

/** Runs the probe through `transport.exec` (as `sh -c SCRIPT`) and parses it. */
export async function probeWithShell(
  transport: Pick<Transport, "exec" | "name">,
  workdir: string,
  nodePath?: string,
  look = false,
): Promise<DeviceProbe> {
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  const result: ExecResult = await transport.exec(["sh", "-c", probeScript(workdir, nodePath, look)], {
    onStdout: (c) => chunks.push(c),
    onStderr: (c) => errors.push(c),
  });
  const output = Buffer.concat(chunks).toString("utf8");
  if (result.code !== 0) {
    throw new EdgeError(
      "transport/failed",
      `probing ${transport.name} failed (exit ${result.code ?? result.signal}): ${Buffer.concat(errors).toString("utf8").trim().slice(0, 500)}`,
      { where: { device: transport.name } },
    );
  }
  const { workdirError, ...probe } = parseProbe(output, workdir);
  if (workdirError) {
    throw new EdgeError(
      "transport/failed",
      `cannot create or enter the work directory ${workdir} on ${transport.name}`,
      {
        where: { device: transport.name },
        hint: "set the device's `workdir` to a folder the user may write",
      },
    );
  }
  return probe;
}
