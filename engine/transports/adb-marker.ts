// How `adb shell` tells a finished command from a vanished device, and how a command is stopped for real.
// adb 29 exits 0 without a word when the device drops mid-command, and closing the stream only SIGHUPs the shell.
// So every command runs inside a small wrapper that prints, on stderr, a marker line with a random token first
// with the shell's pid (its process group: adbd starts each shell in a session of its own) and last with the exit
// status. `MarkerFilter` takes those lines out of the stream, whatever the chunking, and passes the rest through.
import { randomBytes } from "node:crypto";
import { envAssignments, shellCommand, shellPath } from "./shell-quote";

export function newMarkerToken(): string {
  return `EDGE${randomBytes(9).toString("hex")}`;
}

/** The remote command line: the pid marker, `cd` and `env` when asked, the command, the exit marker. */
export function wrapCommand(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string> },
  token: string,
): string {
  const env = envAssignments(options.env);
  const command = env.length ? `env ${shellCommand([...env, ...argv])}` : shellCommand(argv);
  const body = options.cwd ? `cd ${shellPath(options.cwd)} && ${command}` : command;
  return `echo ${token} pid $$ >&2; ${body}; echo ${token} exit $? >&2`;
}

/** The remote command that stops a wrapped command: its shell's process group, else the shell and its children. */
export function killCommand(pid: number, signal: "TERM" | "KILL"): string {
  return `kill -s ${signal} -- -${pid} 2>/dev/null || { pkill -${signal} -P ${pid}; kill -s ${signal} ${pid}; } 2>/dev/null; true`;
}

export type MarkerEvent = { kind: "pid"; pid: number } | { kind: "exit"; code: number };

/** Removes marker lines from a byte stream and reports them; everything else passes through unchanged. */
export class MarkerFilter {
  private held: Buffer = Buffer.alloc(0);
  private readonly token: Buffer;

  constructor(token: string) {
    this.token = Buffer.from(token, "latin1");
  }

  push(chunk: Buffer): { output: Buffer; events: MarkerEvent[] } {
    let buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const out: Buffer[] = [];
    const events: MarkerEvent[] = [];
    for (;;) {
      const at = buf.indexOf(this.token);
      if (at < 0) break;
      const eol = buf.indexOf(0x0a, at);
      if (eol < 0) {
        out.push(buf.subarray(0, at));
        buf = buf.subarray(at);
        this.held = Buffer.from(buf);
        return { output: Buffer.concat(out), events };
      }
      out.push(buf.subarray(0, at));
      const m = / (pid|exit) (\d+)$/.exec(buf.toString("latin1", at + this.token.length, eol));
      if (m) events.push(m[1] === "pid" ? { kind: "pid", pid: Number(m[2]) } : { kind: "exit", code: Number(m[2]) });
      buf = buf.subarray(eol + 1);
    }
    // Hold back a tail that could be the start of the token.
    let keep = Math.min(buf.length, this.token.length - 1);
    while (keep > 0 && !this.token.subarray(0, keep).equals(buf.subarray(buf.length - keep))) keep--;
    out.push(buf.subarray(0, buf.length - keep));
    this.held = Buffer.from(buf.subarray(buf.length - keep));
    return { output: Buffer.concat(out), events };
  }

  /** What is still held back at the end of the stream (a token prefix that never completed). */
  flush(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}
