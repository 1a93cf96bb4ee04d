// Reading what `edge devices --json [--watch]` prints: one JSON line `{"devices": DeviceListing[]}` per listing. Pure:
// the line check (entries that are not listings are dropped and counted), the order the editor shows devices in
// (this machine, then adb, then ssh, by name), and merging a new listing into the one shown (the new one says which
// devices exist and their state; a probe the engine has not repeated is kept while the device stays the same).
import type { DeviceKind, DeviceListing, DeviceProbe } from "../../common/devices";

const KINDS: readonly DeviceKind[] = ["local", "adb", "ssh"];

/** The states in which a run can start on a device (adb's "device", ssh's "reachable", local's "ready"). */
export const READY_STATES: readonly string[] = ["device", "reachable", "ready"];

export interface ParsedListing {
  devices: DeviceListing[];
  /** Entries dropped because they were not listings. */
  dropped: number;
}

/** One line of `edge devices --json`; undefined when it is not `{"devices": [...]}`. */
export function parseListingLine(line: string): ParsedListing | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !Array.isArray(value.devices)) return undefined;
  const devices: DeviceListing[] = [];
  let dropped = 0;
  for (const entry of value.devices) {
    const device = toListing(entry);
    if (device) devices.push(device);
    else dropped++;
  }
  return { devices: sortDevices(devices), dropped };
}

function toListing(value: unknown): DeviceListing | undefined {
  if (!isObject(value)) return undefined;
  const { name, kind, address, state, source } = value;
  if (typeof name !== "string" || name === "" || typeof kind !== "string" || !KINDS.includes(kind as DeviceKind))
    return undefined;
  if (typeof address !== "string" || typeof state !== "string" || typeof source !== "string") return undefined;
  const device: DeviceListing = { name, kind: kind as DeviceKind, address, state, source };
  if (typeof value.model === "string" && value.model !== "") device.model = value.model;
  const probe = value.probe;
  if (isObject(probe) && typeof probe.os === "string" && typeof probe.arch === "string")
    device.probe = probe as unknown as DeviceProbe;
  const error = value.error;
  if (isObject(error) && typeof error.code === "string" && typeof error.message === "string")
    device.error = { code: error.code, message: error.message };
  return device;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** This machine first, then adb devices, then ssh devices; by name within a kind. */
export function sortDevices(devices: DeviceListing[]): DeviceListing[] {
  return devices.sort(
    (a, b) =>
      KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) ||
      a.name.localeCompare(b.name) ||
      a.address.localeCompare(b.address),
  );
}

/** Identifies a device across listings: the same name, kind and address. */
export function deviceKey(device: DeviceListing): string {
  return `${device.kind}\u0000${device.name}\u0000${device.address}`;
}

export function isReady(device: DeviceListing): boolean {
  return READY_STATES.includes(device.state);
}

export interface MergedListing {
  devices: DeviceListing[];
  added: DeviceListing[];
  removed: DeviceListing[];
  /** True when anything shown differs from before. */
  changed: boolean;
}

/**
 * The listing to show after `next` arrives. `next` decides which devices there are and their state; an entry without
 * probe and without error keeps the probe (and model) it had, as long as its state is unchanged (a device that went
 * offline and came back is probed again, and shown without old details until then).
 */
export function mergeListing(previous: readonly DeviceListing[], next: readonly DeviceListing[]): MergedListing {
  const before = new Map(previous.map((d) => [deviceKey(d), d]));
  const devices = next.map((device) => {
    const old = before.get(deviceKey(device));
    if (!old || device.probe || device.error || old.state !== device.state || !old.probe) return device;
    const kept: DeviceListing = { ...device, probe: old.probe };
    if (!kept.model && old.model) kept.model = old.model;
    return kept;
  });
  sortDevices(devices);
  const after = new Set(devices.map(deviceKey));
  const added = devices.filter((d) => !before.has(deviceKey(d)));
  const removed = previous.filter((d) => !after.has(deviceKey(d)));
  const changed =
    devices.length !== previous.length || devices.some((d, i) => JSON.stringify(d) !== JSON.stringify(previous[i]));
  return { devices, added, removed, changed };
}

/** adb devices attached and usable now (state "device"), one per serial. */
export function attachedAdbDevices(devices: readonly DeviceListing[]): DeviceListing[] {
  const seen = new Map<string, DeviceListing>();
  for (const device of devices) {
    if (device.kind !== "adb" || device.state !== "device" || device.address === "") continue;
    const other = seen.get(device.address);
    // The adb listing itself ("adb" source) carries adb's model field; prefer it over a recipe's entry.
    if (!other || (other.source !== "adb" && device.source === "adb")) seen.set(device.address, device);
  }
  return [...seen.values()];
}

/** A phone's model as people call it: adb's model field, the probe's Android model, else undefined. */
export function modelOf(device: DeviceListing): string | undefined {
  const raw = device.model ?? device.probe?.android?.model;
  return raw ? raw.replace(/_/g, " ") : undefined;
}
