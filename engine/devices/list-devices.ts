// The devices one can run on, as `edge devices` lists them: this machine, the phones attached to adb, and the ssh
// devices of the given recipes and of the user's ~/.ssh/config, each probed (in parallel, each with a time limit)
// unless asked not to. A device that cannot be probed is listed with why, never dropped. `watchDevices` keeps the
// list current: adb's track-devices says when phones come and go, and only new phones are probed.
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { DeviceListing, DeviceProbe } from "../../common/devices";
import { EdgeError, isEdgeError } from "../errors";
import type { Device, EdgeRecipe } from "../recipe";
import { type AdbDeviceEntry, adbListing, listAdbDevices } from "../transports/adb-devices";
import { findAdb } from "../transports/adb-program";
import { trackAdbDevices } from "../transports/adb-track";
import { AdbTransport } from "../transports/adb";
import { createLocalTransport, localAddress } from "../transports/local";
import { sshConfigHosts } from "../transports/ssh-config";
import type { Transport } from "../transports/transport";
import { type DeviceTools, defaultWorkdirs, openDevice } from "./open-device";

/** `sshConfig` (from DeviceTools) is also the file whose `Host` entries are listed ("none" for none). */
export interface ListDevicesOptions extends DeviceTools {
  /** Recipes whose devices are listed (ssh devices by their recipe names). */
  recipes?: { file: string; recipe: Pick<EdgeRecipe, "devices"> }[];
  /** Probe each device (default true). */
  probe?: boolean;
  /** Time limit of one device's probe; default 10 s. */
  probeTimeoutMs?: number;
}

const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** The devices now. */
export async function listDevices(options: ListDevicesOptions = {}): Promise<DeviceListing[]> {
  const [local, adb, ssh] = await Promise.all([localListing(options), adbListings(options), sshListings(options)]);
  return [local, ...adb, ...ssh];
}

/**
 * Calls `onList` with the devices now, then again each time a phone is attached, detached or changes state, until
 * `signal` aborts. Without adb (none found, or its server cannot start) the first list is the only one.
 */
export async function watchDevices(
  options: ListDevicesOptions,
  onList: (devices: DeviceListing[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const [local, ssh] = await Promise.all([localListing(options), sshListings(options)]);
  const probed = new Map<string, Promise<DeviceListing>>();
  let adbPath: string | undefined;
  try {
    adbPath = findAdb({ adbPath: adbPathOf(options), env: options.env });
  } catch {
    adbPath = undefined;
  }
  let generation = 0;
  const publish = async (entries: AdbDeviceEntry[]) => {
    const mine = ++generation;
    const listings = await Promise.all(
      entries.map((entry) => {
        const key = `${entry.serial}\0${entry.state}`;
        let listing = probed.get(key);
        if (!listing) {
          listing = adbEntryListing(entry, adbPath!, options);
          probed.set(key, listing);
        }
        return listing;
      }),
    );
    // A newer change overtook this one while it probed: its list is the one to show.
    if (mine === generation && !signal.aborted) onList([local, ...listings, ...ssh]);
  };
  if (!adbPath) {
    onList([local, ...ssh]);
    return;
  }
  onList([local, ...(await adbListings(options)), ...ssh]);
  try {
    await trackAdbDevices(adbPath, (entries) => void publish(entries), signal, { env: options.env });
  } catch (e) {
    if (!isEdgeError(e)) throw e;
    // adb went away: the list stands as it was.
  }
}

async function localListing(options: ListDevicesOptions): Promise<DeviceListing> {
  const listing: DeviceListing = {
    name: "local",
    kind: "local",
    address: localAddress(),
    state: "ready",
    source: "local",
  };
  if (options.probe === false || process.platform === "win32") return listing;
  const transport = createLocalTransport({ name: "local" });
  return withProbe(listing, transport, tmpdir(), options);
}

async function adbListings(options: ListDevicesOptions): Promise<DeviceListing[]> {
  let adbPath: string;
  let entries: AdbDeviceEntry[];
  try {
    adbPath = findAdb({ adbPath: adbPathOf(options), env: options.env });
    entries = await listAdbDevices(adbPath, { env: options.env });
  } catch {
    // No adb here, or its server cannot start: no phones to list (the recipe's run says why if it needs one).
    return [];
  }
  return Promise.all(entries.map((entry) => adbEntryListing(entry, adbPath, options)));
}

async function adbEntryListing(
  entry: AdbDeviceEntry,
  adbPath: string,
  options: ListDevicesOptions,
): Promise<DeviceListing> {
  const listing = adbListing(entry);
  if (options.probe === false || entry.state !== "device") return listing;
  const transport = new AdbTransport(adbPath, entry.serial, entry.serial, options.env);
  const probed = await withProbe(listing, transport, defaultWorkdirs.adb, options);
  if (!probed.model && probed.probe?.android?.model) probed.model = probed.probe.android.model;
  return probed;
}

async function sshListings(options: ListDevicesOptions): Promise<DeviceListing[]> {
  const devices: { name: string; device: Device; file: string; source: string }[] = [];
  const seen = new Set<string>();
  for (const { file, recipe } of options.recipes ?? []) {
    for (const [name, device] of Object.entries(recipe.devices ?? {})) {
      if (!device.ssh) continue;
      devices.push({ name, device, file, source: "recipe" });
      seen.add(device.ssh.host);
    }
  }
  const config =
    options.sshConfig ?? ((options.env ?? process.env).EDGE_SSH_CONFIG || join(homedir(), ".ssh", "config"));
  if (config !== "none") {
    for (const host of await sshConfigHosts(config, homedir())) {
      if (seen.has(host)) continue;
      seen.add(host);
      devices.push({ name: host, device: { ssh: { host } }, file: config, source: "ssh-config" });
    }
  }
  return Promise.all(
    devices.map(async ({ name, device, file, source }) => {
      const ssh = device.ssh!;
      const listing: DeviceListing = {
        name,
        kind: "ssh",
        address: `${ssh.user ? `${ssh.user}@` : ""}${ssh.host}${ssh.port ? `:${ssh.port}` : ""}`,
        state: "configured",
        source,
      };
      if (options.probe === false) return listing;
      let opened;
      try {
        opened = await openDevice(name, device, file, options);
      } catch (e) {
        return { ...listing, state: "unreachable", error: errorOf(e) };
      }
      return withProbe(listing, opened.transport, device.workdir ?? defaultWorkdirs.ssh, options, "reachable");
    }),
  );
}

/** The listing with the device's probe (and `state` set to `okState`), or with why it could not be probed. */
async function withProbe(
  listing: DeviceListing,
  transport: Transport,
  workdir: string,
  options: ListDevicesOptions,
  okState?: string,
): Promise<DeviceListing> {
  const limitMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = await Promise.race<DeviceProbe>([
      transport.probe(workdir, { look: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new EdgeError("transport/unreachable", `${listing.name} did not answer within ${limitMs / 1000} s`, {
                where: { device: listing.name },
              }),
            ),
          limitMs,
        );
      }),
    ]);
    return { ...listing, ...(okState ? { state: okState } : {}), probe };
  } catch (e) {
    return {
      ...listing,
      ...(okState ? { state: (e as EdgeError).code === "transport/auth" ? "unauthorized" : "unreachable" } : {}),
      error: errorOf(e),
    };
  } finally {
    clearTimeout(timer);
    await transport.close().catch(() => {});
  }
}

function errorOf(e: unknown): { code: string; message: string } {
  return isEdgeError(e) ? { code: e.code, message: e.message } : { code: "internal/bug", message: String(e) };
}

function adbPathOf(options: ListDevicesOptions): string | undefined {
  return options.adbPath ?? ((options.env ?? process.env).EDGE_ADB_PATH || undefined);
}
