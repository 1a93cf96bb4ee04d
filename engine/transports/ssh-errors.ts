// What went wrong when the OpenSSH client gave up (exit 255): its stderr read into one EdgeError with a
// `transport/…` code and a hint. Pure. Host key problems get a hint to check known_hosts, never to turn checking off.
import { EdgeError } from "../errors";

export type SshFailure = "auth" | "host-key" | "unreachable" | "disconnected" | "failed";

const patterns: [SshFailure, RegExp][] = [
  [
    "host-key",
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key .* (?:is not known|mismatch)|No \S+ host key is known/i,
  ],
  [
    "auth",
    /Permission denied|Too many authentication failures|Authentication failed|no mutual signature|Load key .*: (?:invalid format|bad permissions)|UNPROTECTED PRIVATE KEY/i,
  ],
  [
    "unreachable",
    /Could not resolve hostname|Name or service not known|nodename nor servname|Temporary failure in name resolution|Connection refused|No route to host|Network is unreachable|Connection timed out|Operation timed out|timed out during banner exchange|kex_exchange_identification|Connection closed by \S+ port \d+$/im,
  ],
  [
    "disconnected",
    /closed by remote host|Connection reset|Broken pipe|client_loop: send disconnect|Timeout, server .* not responding|mux_client_read_packet|Connection to \S+ closed|Connection closed/i,
  ],
];

/** Which kind of failure ssh's stderr describes (the first matching kind, in the order above). */
export function classifySshStderr(stderr: string): SshFailure {
  for (const [kind, re] of patterns) if (re.test(stderr)) return kind;
  return "failed";
}

/** The last meaningful lines of ssh's stderr, for a message (at most ~600 characters). */
export function stderrTail(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^Warning: Permanently added/.test(l));
  return lines.slice(-6).join("\n").slice(-600);
}

/**
 * The error for an ssh client that exited 255. `started`: the remote command had begun (its start marker arrived),
 * so a dropped connection is `disconnected`; before that, a connection closed by the far end is `unreachable`.
 */
export function sshError(stderr: string, device: string, started: boolean): EdgeError {
  const found = classifySshStderr(stderr);
  // Once the command runs (logged in, so no auth problem), a connection that ends without the command's end marker
  // has dropped, whatever the stderr says (it holds the program's own output too).
  const kind = started ? "disconnected" : found;
  const detail = stderrTail(stderr);
  const said = detail ? `: ${detail}` : "";
  const where = { device };
  switch (kind) {
    case "host-key":
      return new EdgeError("transport/auth", `ssh could not verify the host key of ${device}${said}`, {
        where,
        hint: `check the host's entry in your known_hosts file (connect once with \`ssh ${device}\` and compare the fingerprint with the device's own); host key checking stays on`,
      });
    case "auth":
      return new EdgeError("transport/auth", `ssh could not log in to ${device}${said}`, {
        where,
        hint: "check the user and the key (`identity_file`, your ssh agent, or `IdentityFile` in ~/.ssh/config); ssh runs in batch mode, so it never asks for a password",
      });
    case "unreachable":
      return new EdgeError("transport/unreachable", `cannot reach ${device} over ssh${said}`, {
        where,
        hint: "check that the device is on, its address and port, and that sshd runs there",
      });
    case "disconnected":
      return started
        ? new EdgeError("transport/disconnected", `the ssh connection to ${device} dropped${said}`, {
            where,
            hint: "the device may have rebooted, lost power or left the network",
          })
        : new EdgeError("transport/unreachable", `${device} closed the ssh connection while connecting${said}`, {
            where,
            hint: "check that sshd runs on the device and accepts this client",
          });
    default:
      return new EdgeError("transport/failed", `ssh to ${device} failed${said}`, { where });
  }
}

/** The error for an ssh program that could not be started. */
export function sshNotFound(sshPath: string, device: string, cause: unknown): EdgeError {
  return new EdgeError("transport/not-found", `cannot run the OpenSSH client \`${sshPath}\``, {
    where: { device },
    hint: "install the OpenSSH client, or set `edge.ssh.path` to your ssh program",
    cause,
  });
}
