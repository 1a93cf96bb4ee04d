// `edge devices [--json] [--watch] [--no-probe] [--recipe FILE]…`: the devices one can run on (this machine, the
// phones attached to adb, the ssh devices of the recipes given and of ~/.ssh/config), each with what its probe found.
// `--json` prints `{"devices": [...]}` (common/devices.ts's DeviceListing); with `--watch` one such line at start and
// one each time a phone comes, goes or changes state, until the command is stopped (the editor's Devices view reads
// this). The tools are found through EDGE_ADB_PATH / EDGE_SSH_PATH, then ANDROID_HOME and PATH.
import type { DeviceListing } from "../../common/devices";
import { formatBytes } from "../../common/units";
import { listDevices, watchDevices } from "../devices";
import { exitCodes } from "../errors";
import { loadRecipe } from "../recipe";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const DEVICES_USAGE = "edge devices [--json] [--watch] [--no-probe] [--recipe FILE]…";

export async function devicesCommand(argv: string[], io: CliIO): Promise<number> {
  const { flags } = parseArgs(
    argv,
    { json: "boolean", watch: "boolean", "no-probe": "boolean", recipe: "string[]" },
    "devices",
  );
  const recipes = [];
  for (const file of (flags.recipe as string[] | undefined) ?? []) {
    const loaded = await loadRecipe(file, { cwd: io.cwd });
    if (loaded.recipe) recipes.push({ file: loaded.absolutePath, recipe: loaded.recipe });
  }
  const options = { recipes, probe: flags["no-probe"] !== true };
  const print = (devices: DeviceListing[]) =>
    flags.json ? io.stdout(`${JSON.stringify({ devices })}\n`) : io.stdout(formatDevices(devices));
  if (!flags.watch) {
    print(await listDevices(options));
    return exitCodes.ok;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await watchDevices(options, print, stop.signal);
    // Without adb there is nothing to follow: wait for the stop all the same, as the caller expects a live stream.
    if (!stop.signal.aborted) await new Promise((done) => stop.signal.addEventListener("abort", done));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return exitCodes.ok;
}

/** The listing for people: one block a device. */
export function formatDevices(devices: DeviceListing[]): string {
  const lines: string[] = [];
  for (const d of devices) {
    lines.push(`${d.name}  ${d.kind}  ${d.address}  ${d.state}${d.model ? `  ${d.model}` : ""}`);
    const p = d.probe;
    if (p) {
      const parts = [
        p.android
          ? `Android ${p.android.release ?? "?"}${p.android.model ? ` ${p.android.model}` : ""}${p.android.soc ? ` (${p.android.soc})` : ""}`
          : `${p.os}${p.kernel ? ` ${p.kernel}` : ""}`,
        `${p.arch} (${p.abi})`,
        p.cores ? `${p.cores} cores` : undefined,
        p.totalMemoryBytes ? `${formatBytes(p.totalMemoryBytes)} RAM` : undefined,
        p.freeBytes !== undefined ? `${formatBytes(p.freeBytes)} free in ${p.workdir}` : undefined,
        p.node ? `node ${p.node.version}` : "no node",
        p.cachedRunners?.length ? `${p.cachedRunners.length} runner bundle(s) cached` : undefined,
      ].filter((x): x is string => x !== undefined);
      lines.push(`    ${parts.join(", ")}`);
    }
    if (d.error) lines.push(`    ${d.error.code}: ${d.error.message}`);
  }
  return `${lines.join("\n")}\n`;
}
