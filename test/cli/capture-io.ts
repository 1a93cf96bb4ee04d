// Test helper: the CliIO a test passes to an `edge` command run in process (`main`, or a command's own function such
// as `validateCommand`), keeping what the command writes to stdout and stderr as text to check afterwards. The built
// CLI as a child process, with its events read as they arrive, is edge-process.ts.
import type { CliIO } from "../../engine/cli/io";

/** A CliIO working in `cwd` whose stdout and stderr are appended to `out` and `err`. */
export function capture(cwd: string): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}
