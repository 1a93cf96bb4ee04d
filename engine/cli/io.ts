// What a CLI command may touch: its output streams and working directory. Tests pass their own.
export interface CliIO {
  /** Machine-readable output (JSON, JSON-lines events) and the command's main result. */
  stdout(text: string): void;
  /** Human text: progress, warnings, errors. */
  stderr(text: string): void;
  cwd: string;
}

export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
};
