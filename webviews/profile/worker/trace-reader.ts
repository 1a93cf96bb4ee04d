// One trace being read in the worker: the streaming parser (common/trace/trace-parser.ts) fed the host's chunks, each
// event handed to the index builder with its byte offset. A syntax error stops the read but keeps what came before
// it (with a note); a file of which nothing could be read (not JSON, or JSON that is not a trace) is `failed`.
import type { TraceModel } from "../../../common/trace/trace-model";
import { TraceParser } from "../../../common/trace/trace-parser";
import { isTraceSyntaxError } from "../../../common/trace/trace-syntax-error";
import { utf8Length } from "../../../common/trace/utf8";
import { InterimIndexBuilder } from "./interim-index";

/**
 * INTERIM: the current event's byte offset, from the parser's private start fields (the TRACE helper's parser hands
 * it to onEvent). In a chunk that is not ASCII the UTF-8 length is counted on from the previous event's start.
 */
function interimOffsets(parser: TraceParser): () => number {
  const p = parser as unknown as { startBase: number; startIndex: number; startAscii: boolean; startChunk: string };
  let chunk = "";
  let index = 0;
  let bytes = 0;
  return () => {
    if (p.startAscii) return p.startBase + p.startIndex;
    if (p.startChunk !== chunk || p.startIndex < index) {
      chunk = p.startChunk;
      index = 0;
      bytes = 0;
    }
    bytes += utf8Length(chunk, index, p.startIndex);
    index = p.startIndex;
    return p.startBase + bytes;
  };
}

export class TraceReader {
  private readonly builder = new InterimIndexBuilder();
  private readonly parser: TraceParser;
  private stopped?: { message: string; offset: number; line: number };
  bytes = 0;
  events = 0;

  constructor() {
    this.parser = new TraceParser({
      onEvent: (event, offset?: number) => {
        this.events++;
        this.builder.add(event, typeof offset === "number" ? offset : nextOffset());
      },
    });
    const nextOffset = interimOffsets(this.parser);
  }

  write(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    if (this.stopped) return;
    try {
      this.parser.write(bytes);
    } catch (e) {
      this.stop(e);
    }
  }

  /** The model, or the reason nothing could be read. */
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
    return { model: this.builder.finish(this.bytes, truncated || this.stopped !== undefined, this.stopped) };
  }

  private stop(e: unknown): void {
    if (isTraceSyntaxError(e)) this.stopped = { message: e.reason, offset: e.byteOffset, line: e.line };
    else this.stopped = { message: e instanceof Error ? e.message : String(e), offset: this.bytes, line: 0 };
  }
}
