// What the editor says about a device (Devices view, quick picks): a one-line description from its state and probe,
// and the tooltip's lines with every probe detail. Pure; bytes in decimal units (common/units.ts).
import type { DeviceListing } from "../../common/devices";
import { formatBytes } from "../../common/units";
import { isReady, modelOf } from "./device-listing";

const KIND_TITLES: Record<DeviceListing["kind"], string> = {
  local: "this machine",
  adb: "Android device (adb)",
  ssh: "SSH host",
};

/** The short line beside a device's name: a state that stops runs first, then model, OS, ABI, cores, memory. */
export function describeDevice(device: DeviceListing): string {
  const parts: string[] = [];
  if (!isReady(device)) parts.push(device.state);
  const probe = device.probe;
  const model = modelOf(device);
  if (device.kind === "adb" && model) parts.push(model);
  if (probe?.android?.release) parts.push(`Android ${probe.android.release}`);
  else if (probe) parts.push(probe.os);
  if (probe) parts.push(probe.abi || probe.arch);
  if (probe?.cores !== undefined) parts.push(`${probe.cores} ${probe.cores === 1 ? "core" : "cores"}`);
  if (probe?.totalMemoryBytes !== undefined) parts.push(formatBytes(probe.totalMemoryBytes));
  if (!probe && device.error) parts.push(`probe failed: ${device.error.code}`);
  if (parts.length === 0 || (device.kind === "ssh" && !probe)) parts.push(device.address);
  return [...new Set(parts)].join(" · ");
}

/** Every detail, one "label: value" line each (the view's tooltip, the quick pick's detail). */
export function deviceDetails(device: DeviceListing): string[] {
  const lines = [`${device.name}: ${KIND_TITLES[device.kind]}`];
  lines.push(`${device.kind === "adb" ? "serial" : "address"}: ${device.address}`);
  lines.push(`state: ${device.state}`);
  lines.push(`listed from: ${device.source}`);
  const probe = device.probe;
  const android = probe?.android;
  const model = modelOf(device);
  if (model) lines.push(`model: ${[android?.manufacturer, model].filter(Boolean).join(" ")}`);
  if (android?.release) lines.push(`Android: ${android.release}${android.sdk ? ` (API ${android.sdk})` : ""}`);
  if (android?.soc) lines.push(`SoC: ${android.soc}`);
  if (probe) {
    lines.push(`OS: ${probe.os}${probe.kernel ? ` (kernel ${probe.kernel})` : ""}`);
    lines.push(`ABI: ${probe.abi}${probe.abi !== probe.arch ? ` (${probe.arch})` : ""}`);
    if (probe.cores !== undefined) lines.push(`cores: ${probe.cores}`);
    if (probe.totalMemoryBytes !== undefined)
      lines.push(
        `RAM: ${formatBytes(probe.totalMemoryBytes)}${probe.availableMemoryBytes !== undefined ? `, ${formatBytes(probe.availableMemoryBytes)} available` : ""}`,
      );
    lines.push(
      `work folder: ${probe.workdir}${probe.freeBytes !== undefined ? ` (${formatBytes(probe.freeBytes)} free)` : ""}`,
    );
    lines.push(probe.node ? `node: ${probe.node.version} (${probe.node.path})` : "node: not found");
    if (probe.cachedRunners && probe.cachedRunners.length > 0)
      lines.push(`cached runners: ${probe.cachedRunners.length}`);
  } else if (!device.error && isReady(device)) {
    lines.push("probing…");
  }
  if (device.error) lines.push(`probe failed: ${device.error.message} (${device.error.code})`);
  return lines;
}
