// The remote side of an ssh exec, pure. OpenSSH cannot signal a remote command (root logins get no channel signals,
// and closing a channel without a pty does not stop the command), and its exit status 255 means both "the program
// exited 255" and "ssh failed". So every program runs under a small POSIX sh wrapper that reports, on stderr, lines
// tagged with a random marker: its pid (the program has started; the pid to kill through a second exec), then the
// program's exit status (it really ended). `MarkerFilter` takes those lines out of the stderr stream.
import { randomBytes } from "node:crypto";
import { shellQuote } from "./shell-quote";

/**
 * The wrapper, run as `sh -c WRAPPER sh MARKER CWD ARGV…`: enters CWD (when not empty), reports its pid (a session
 * leader under sshd, so the pid is also the process group), runs ARGV in the foreground and reports its status.
 */
export const WRAPPER_SCRIPT = [
  `m=$1; shift`,
  `if [ -n "$1" ]; then cd "$1" 2>/dev/null || { printf '%snocwd\\n' "$m" >&2; exit 126; }; fi`,
  `shift`,
  `printf '%spid=%s\\n' "$m" "$$" >&2`,
  `"$@"`,
  `s=$?`,
  `printf '%sexit=%s\\n' "$m" "$s" >&2`,
  `exit $s`,
].join("\n");

/** A fresh marker: unlikely to appear in a program's own output. */
export function newMarker(): string {
  return `edge-${randomBytes(6).toString("hex")}:`;
}

/**
 * The remote command string for a program: `exec sh -c WRAPPER sh MARKER CWD [env NAME=value…] ARGV…`, where
 * `cwdWord` is a word already made by `shellPath` (or undefined) and `argvWords` are words made by `shellQuote`.
 */
export function wrapperCommand(
  marker: string,
  cwdWord: string | undefined,
  envWords: string[],
  argvWords: string[],
): string {
  const words = ["exec", "sh", "-c", shellQuote(WRAPPER_SCRIPT), "sh", shellQuote(marker), cwdWord ?? "''"];
  if (envWords.length) words.push("env", ...envWords.map(shellQuote));
  return [...words, ...argvWords].join(" ");
}

/**
 * Stops the wrapper's process group (or, when the wrapper leads no group, its children and itself): SIGTERM, up to
 * one second of grace, then SIGKILL. Run as `sh -c KILL_SCRIPT sh PID`.
 */
export const KILL_SCRIPT = [
  `p=$1`,
  `kill -TERM -"$p" 2>/dev/null || { pkill -TERM -P "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; }`,
  `i=0`,
  `while [ $i -lt 10 ] && { kill -0 -"$p" 2>/dev/null || kill -0 "$p" 2>/dev/null; }; do sleep 0.1 2>/dev/null || sleep 1; i=$((i+1)); done`,
  `kill -KILL -"$p" 2>/dev/null || { pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; }`,
  `exit 0`,
].join("\n");

/** Signal numbers that are the same on Linux and macOS, for an exit status of 128 + N from the wrapper's sh. */
const signalNames: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

/** The program's end from the wrapper's status: a signal name for 128 + a common signal, else the exit code. */
export function statusToResult(status: number): { code: number | null; signal?: string } {
  const name = status > 128 ? signalNames[status - 128] : undefined;
  return name ? { code: null, signal: name } : { code: status };
}

/**
 * Splits a stderr stream into the program's bytes (passed on unchanged, in order) and the marker records
 * (`pid=123`, `exit=0`, `nocwd`). A record may start mid-line (after output without a final newline); bytes that
 * could be the start of a marker are held back until the next chunk tells.
 */
export class MarkerFilter {
  private readonly marker: Buffer;
  private pending = Buffer.alloc(0);

  constructor(
    marker: string,
    private readonly onData: (chunk: Buffer) => void,
    private readonly onRecord: (record: string) => void,
  ) {
    this.marker = Buffer.from(marker, "utf8");
  }

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    for (;;) {
      const at = buf.indexOf(this.marker);
      if (at < 0) break;
      const nl = buf.indexOf(0x0a, at + this.marker.length);
      if (at > 0) this.onData(buf.subarray(0, at));
      if (nl < 0) {
        this.pending = Buffer.from(buf.subarray(at));
        return;
      }
      this.onRecord(buf.subarray(at + this.marker.length, nl).toString("utf8"));
      buf = buf.subarray(nl + 1);
    }
    const keep = this.partialMarkerAtEnd(buf);
    if (buf.length - keep > 0) this.onData(buf.subarray(0, buf.length - keep));
    if (keep) this.pending = Buffer.from(buf.subarray(buf.length - keep));
  }

  /** Passes on whatever was held back (the stream ended). */
  end(): void {
    if (this.pending.length) this.onData(this.pending);
    this.pending = Buffer.alloc(0);
  }

  private partialMarkerAtEnd(buf: Buffer): number {
    for (let k = Math.min(this.marker.length - 1, buf.length); k > 0; k--) {
      if (buf.subarray(buf.length - k).equals(this.marker.subarray(0, k))) return k;
    }
    return 0;
  }
}
