// From a listed device to what programs take: the `--device` argument of `edge run` for a recipe (the recipe's own
// device when it defines this one, else an ad-hoc `adb:SERIAL` / `ssh:HOST` the engine accepts), and the ssh
// destination parts of an address written `[user@]host[:port]`. Pure.
import type { DeviceListing } from "../../common/devices";
import type { RecipeTransport, RecipeTransports } from "./recipe-transports";

export interface SshDestination {
  host: string;
  user?: string;
  port?: number;
}

/** `user@host:port`, `host:port`, `user@host`, `host`, `[::1]:2222`; undefined when there is no host. */
export function parseSshAddress(address: string): SshDestination | undefined {
  let rest = address.trim();
  const result: Partial<SshDestination> = {};
  const at = rest.lastIndexOf("@");
  if (at > 0) {
    result.user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  } else if (at === 0) return undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const plain = /^([^:]+):(\d+)$/.exec(rest);
  const match = bracket ?? plain;
  if (match) {
    rest = match[1];
    if (match[2] !== undefined) result.port = Number(match[2]);
  }
  if (rest === "" || (result.port !== undefined && !(result.port >= 1 && result.port <= 65535))) return undefined;
  return { ...result, host: rest };
}

/** The recipe's device that is `device`: same adb serial, same ssh host (user and port when both say), or local. */
export function recipeDeviceFor(device: DeviceListing, transports: RecipeTransports): string | undefined {
  for (const [name, transport] of transports) if (sameDevice(device, transport, name)) return name;
  return undefined;
}

function sameDevice(device: DeviceListing, transport: RecipeTransport, name: string): boolean {
  if (transport.kind !== device.kind) return false;
  if (transport.kind === "local") return true;
  if (transport.kind === "adb") return transport.serial !== undefined && transport.serial === device.address;
  if (device.source === "ssh-config") return transport.host === device.name;
  const listed = parseSshAddress(device.address);
  if (!listed) return false;
  if (device.source === "recipe" && device.name === name && listed.host === transport.host) return true;
  return (
    listed.host === transport.host &&
    (listed.user === undefined || transport.user === undefined || listed.user === transport.user) &&
    (listed.port ?? 22) === (transport.port ?? 22)
  );
}

/** What `edge run RECIPE --device …` takes to run the recipe on `device`. */
export function deviceArgument(device: DeviceListing, transports: RecipeTransports): string {
  const own = recipeDeviceFor(device, transports);
  if (own) return own;
  switch (device.kind) {
    case "local":
      return "local";
    case "adb":
      return `adb:${device.address}`;
    case "ssh":
      return `ssh:${device.source === "ssh-config" ? device.name : device.address}`;
  }
}
