// Recorded `edge devices --json --watch` lines for the device tests: this machine, a phone as adb first lists it,
// the same phone once probed, an unauthorized phone, and ssh hosts from a recipe and from ~/.ssh/config.
import type { DeviceListing } from "../../common/devices";

export const local: DeviceListing = {
  name: "local",
  kind: "local",
  address: "buildbox",
  state: "ready",
  source: "local",
  probe: {
    os: "linux",
    arch: "x64",
    abi: "x86_64",
    cores: 2,
    totalMemoryBytes: 8e9,
    workdir: "/tmp/edge",
    freeBytes: 5e10,
  },
};

export const pixelListed: DeviceListing = {
  name: "1A2B3C4D",
  kind: "adb",
  address: "1A2B3C4D",
  state: "device",
  source: "adb",
  model: "Pixel_8",
};

export const pixelProbed: DeviceListing = {
  ...pixelListed,
  probe: {
    os: "linux",
    arch: "arm64",
    abi: "arm64-v8a",
    kernel: "5.15.110-android14",
    cores: 9,
    totalMemoryBytes: 7.9e9,
    availableMemoryBytes: 3.2e9,
    workdir: "/data/local/tmp/edge-studio",
    freeBytes: 1.2e11,
    android: { release: "14", sdk: 34, manufacturer: "Google", model: "Pixel 8", soc: "Tensor G3", device: "shiba" },
  },
};

export const unauthorized: DeviceListing = {
  name: "ZZ99",
  kind: "adb",
  address: "ZZ99",
  state: "unauthorized",
  source: "adb",
};

export const jetson: DeviceListing = {
  name: "jetson",
  kind: "ssh",
  address: "ubuntu@jetson.local:2222",
  state: "reachable",
  source: "recipe",
  probe: {
    os: "linux",
    arch: "arm64",
    abi: "aarch64",
    cores: 6,
    workdir: "~/.cache/edge-studio",
    node: { path: "/usr/bin/node", version: "v20.11.1" },
  },
};

export const configHost: DeviceListing = {
  name: "pi5",
  kind: "ssh",
  address: "pi5",
  state: "unreachable",
  source: "ssh-config",
  error: { code: "transport/unreachable", message: "ssh: connect to host pi5 port 22: No route to host" },
};

/** A line as the engine prints it. */
export function line(devices: DeviceListing[]): string {
  return JSON.stringify({ devices });
}
