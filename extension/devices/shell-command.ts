// "Open Shell" on a device: the program and its arguments for a VS Code terminal, as an argument array (never a
// command string): `adb -s SERIAL shell`, `ssh [-p PORT] [-l USER] [-i KEY] [-J JUMP] HOST`. Pure; the programs are
// the `edge.adb.path` / `edge.ssh.path` settings.
import type { DeviceListing } from "../../common/devices";
import { parseSshAddress } from "./device-address";
import type { RecipeTransport } from "./recipe-transports";

export interface ShellCommand {
  /** The terminal's name. */
  name: string;
  shellPath: string;
  shellArgs: string[];
}

export interface ShellPrograms {
  adbPath: string;
  sshPath: string;
}

/**
 * The terminal that opens a shell on `device`; a string saying why not otherwise. `known` is the transport a recipe
 * gave this device (its identity file made absolute by the caller), which adds its ssh options.
 */
export function shellCommand(
  device: DeviceListing,
  programs: ShellPrograms,
  known?: RecipeTransport,
): ShellCommand | string {
  if (device.kind === "local") return "this machine has its own terminals";
  if (device.kind === "adb") {
    if (device.address === "") return `${device.name} has no adb serial`;
    return { name: `adb ${device.address}`, shellPath: programs.adbPath, shellArgs: ["-s", device.address, "shell"] };
  }
  let host: string;
  const args: string[] = [];
  if (known?.kind === "ssh") {
    host = known.host;
    if (known.port) args.push("-p", String(known.port));
    if (known.user) args.push("-l", known.user);
    if (known.identityFile) args.push("-i", known.identityFile);
    if (known.proxyJump) args.push("-J", known.proxyJump);
  } else if (device.source === "ssh-config") {
    host = device.name; // the Host alias: ~/.ssh/config applies
  } else {
    const destination = parseSshAddress(device.address);
    if (!destination) return `${device.name} has no ssh address`;
    host = destination.host;
    if (destination.port) args.push("-p", String(destination.port));
    if (destination.user) args.push("-l", destination.user);
  }
  // A destination that starts with "-" would be read as an option.
  if (host.startsWith("-")) return `refusing the ssh host "${host}": it starts with "-"`;
  return { name: `ssh ${host}`, shellPath: programs.sshPath, shellArgs: [...args, host] };
}
