// The OpenSSH client's command line for one device, built from the recipe's `ssh:` block and the caller's options.
// Pure: the transport (ssh.ts) adds the connection-sharing options and the remote command. The user's own
// `~/.ssh/config`, agent, ProxyJump and known_hosts keep working because nothing here overrides them unless asked:
// host key checking is never turned off, and BatchMode makes ssh fail instead of prompting.
import type { SshTransport } from "../recipe/recipe-types.generated";

export interface SshOptions {
  /** Host name, address or a `Host` alias of the ssh config (may be `user@host`). */
  host: string;
  user?: string;
  port?: number;
  /** Private key (`-i`); when given, only this key is offered (`IdentitiesOnly=yes`). */
  identityFile?: string;
  /** Jump host(s), as `-J` takes them. */
  proxyJump?: string;
  /** The `ssh` program (the extension's `edge.ssh.path`). Default: `ssh` from PATH. */
  sshPath?: string;
  /** A config file instead of `~/.ssh/config` (`-F`; "none" reads none). */
  configFile?: string;
  /** A known_hosts file instead of the user's (`-o UserKnownHostsFile=…`). Checking stays on. */
  knownHostsFile?: string;
  /** Seconds to wait for the TCP connection (`ConnectTimeout`). Default 15. */
  connectTimeoutS?: number;
  /** Seconds between keep-alives on a quiet connection (`ServerAliveInterval`, 3 misses drop it). Default 10. */
  serverAliveIntervalS?: number;
  /** Share one connection between calls (ControlMaster). Default: true except on Windows, whose ssh lacks it. */
  multiplex?: boolean;
  /** Seconds an idle shared connection outlives the last call if `close()` is never reached. Default 300. */
  controlPersistS?: number;
  /** Extra `-o` options (`Name=value`), after the ones above. */
  extraOptions?: string[];
  /** The device's name in messages. Default: the host. */
  name?: string;
}

/** The options for a recipe's `ssh:` block (its paths already resolved) plus the caller's extras. */
export function sshOptionsFromRecipe(ssh: SshTransport, extra: Partial<SshOptions> = {}): SshOptions {
  return {
    host: ssh.host,
    user: ssh.user,
    port: ssh.port,
    identityFile: ssh.identity_file,
    proxyJump: ssh.proxy_jump,
    ...extra,
  };
}

/** Everything before the destination: config, batch mode, timeouts, identity, port, jump hosts, extra options. */
export function sshBaseArgs(options: SshOptions): string[] {
  const args: string[] = [];
  if (options.configFile) args.push("-F", options.configFile);
  const o = (value: string) => args.push("-o", value);
  o("BatchMode=yes");
  o(`ConnectTimeout=${Math.max(1, Math.round(options.connectTimeoutS ?? 15))}`);
  o(`ServerAliveInterval=${Math.max(1, Math.round(options.serverAliveIntervalS ?? 10))}`);
  o("ServerAliveCountMax=3");
  if (options.knownHostsFile) o(`UserKnownHostsFile=${options.knownHostsFile}`);
  if (options.identityFile) {
    args.push("-i", options.identityFile);
    o("IdentitiesOnly=yes");
  }
  if (options.user) args.push("-l", options.user);
  if (options.port !== undefined) args.push("-p", String(options.port));
  if (options.proxyJump) args.push("-J", options.proxyJump);
  for (const extra of options.extraOptions ?? []) o(extra);
  return args;
}

/** The options that share one connection through a control socket at `controlPath`. */
export function sshControlArgs(controlPath: string, persistS: number): string[] {
  return ["-o", "ControlMaster=auto", "-o", `ControlPath=${controlPath}`, "-o", `ControlPersist=${persistS}`];
}

/** A full command line: base options, control options, `--`, the destination and the remote command string. */
export function sshCommandArgs(options: SshOptions, control: string[], remoteCommand?: string): string[] {
  const args = [...sshBaseArgs(options), ...control, "-T", "--", options.host];
  if (remoteCommand !== undefined) args.push(remoteCommand);
  return args;
}

/** `user@host:port` as given, for listings and messages. */
export function sshAddress(options: SshOptions): string {
  return `${options.user ? `${options.user}@` : ""}${options.host}${options.port ? `:${options.port}` : ""}`;
}
