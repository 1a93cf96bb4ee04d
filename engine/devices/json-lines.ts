// Splits a byte stream into lines as it arrives (a chunk may end mid-line or mid-character), for the runner's
// JSON-lines events coming back from a device. Lines are handed on without their `\n` (and a `\r` before it, which a
// pty adds).
import { StringDecoder } from "node:string_decoder";

export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private rest = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    for (const line of lines) this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  /** The last line when the stream ended without a newline. */
  end(): void {
    const last = this.rest + this.decoder.end();
    this.rest = "";
    if (last !== "") this.onLine(last);
  }
}
