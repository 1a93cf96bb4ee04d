// The trace parser's one error: what is wrong and where, as a byte offset into the UTF-8 input (0-based) and a line
// (1-based). Readers turn it into their own error type (the engine: a note that the profile is incomplete).

export class TraceSyntaxError extends Error {
  override readonly name = "TraceSyntaxError";
  /** What is wrong, without the position. */
  readonly reason: string;
  readonly byteOffset: number;
  readonly line: number;

  constructor(reason: string, byteOffset: number, line: number) {
    super(`${reason} at byte ${byteOffset} (line ${line})`);
    this.reason = reason;
    this.byteOffset = byteOffset;
    this.line = line;
  }
}

export function isTraceSyntaxError(e: unknown): e is TraceSyntaxError {
  return e instanceof TraceSyntaxError;
}
