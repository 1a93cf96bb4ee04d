// One trace being read in the worker: the streaming parser (common/trace/trace-parser.ts, reading only the args the
// index needs) fed the host's chunks, each event handed to common/trace's TraceIndexBuilder with its byte offset. A
// syntax error stops the read but keeps what came before it (a note says where); a file of which nothing could be
// read (not JSON, JSON that is not a trace, objects without a phase) is `failed`.
import { INDEX_ARGS, TraceIndexBuilder } from "../../../common/trace/trace-index";
import type { TraceModel } from "../../../common/trace/trace-model";
import { TraceParser } from "../../../common/trace/trace-parser";
import { isTraceSyntaxError } from "../../../common/trace/trace-syntax-error";

export class TraceReader {
  private readonly builder = new TraceIndexBuilder();
  private readonly parser = new TraceParser({
    onEvent: (event, offset) => {
      this.events++;
      this.builder.add(event, offset);
    },
    args: INDEX_ARGS,
  });
  private stopped?: { message: string; offset: number; line: number };
  bytes = 0;
  events = 0;

  write(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    if (this.stopped) return;
    try {
      this.parser.write(bytes);
    } catch (e) {
      this.stop(e);
    }
  }

  /** The model, or the reason nothing could be read. `hostError`: the host could not read the file to its end. */
  end(hostError?: string): { model: TraceModel } | { failed: string } {
    let truncated = false;
    if (!this.stopped) {
      try {
        truncated = this.parser.end().truncated;
      } catch (e) {
        this.stop(e);
      }
    }
    if (hostError && !this.stopped) this.stopped = { message: hostError, offset: this.bytes, line: 0 };
    if (this.stopped && this.events === 0) return { failed: this.stopped.message };
    const model = this.builder.finish({ truncated, byteLength: this.bytes, error: this.stopped });
    const n = model.notes;
    if (n.eventCount > 0 && (n.phaseCounts["?"] ?? 0) === n.eventCount)
      return { failed: `none of its ${n.eventCount} objects has a phase ("ph"): JSON, but not a trace` };
    return { model };
  }

  private stop(e: unknown): void {
    if (isTraceSyntaxError(e)) this.stopped = { message: e.reason, offset: e.byteOffset, line: e.line };
    else this.stopped = { message: e instanceof Error ? e.message : String(e), offset: this.bytes, line: 0 };
  }
}
