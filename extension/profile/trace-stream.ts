// Streaming a trace file's bytes to the profile webview (pure: the file and the webview come in as functions). The
// host never parses a trace: it reads the file one chunk at a time and sends each chunk only after the previous one
// was handed over (`send` resolves), so at most one chunk is held however large the file is (a 1 GB trace is never
// queued in memory); the webview's worker parses. Handing a chunk over is not parsing it, so the stream also waits
// for room (`room`): with a StreamWindow, at most MAX_IN_FLIGHT_BYTES are sent and not yet read by the worker (the
// webview says what it read with TraceConsumedCommand), and a slow parse never piles the file up in the webview.
// A newer stream of the same slot cancels the older one.

/** 4 MB: large enough that a 1 GB trace is ~250 messages, small enough to be one quick structured clone. */
export const TRACE_CHUNK_BYTES = 4 * 1024 * 1024;

/** 16 MB: four chunks sent ahead of what the worker has read keep it busy without holding much of the file. */
export const MAX_IN_FLIGHT_BYTES = 4 * TRACE_CHUNK_BYTES;
/** Without word from the webview for this long, one more chunk goes anyway (a webview that never answers). */
export const STALL_MS = 10_000;

/**
 * The flow control of one stream: `consumed` (the worker's word) moves the window on; `room(sent, length)` resolves
 * once sending `length` more bytes leaves at most `maxInFlight` bytes sent and unread, when the stream is released,
 * or after `stallMs` without word (then that one chunk goes anyway).
 */
export class StreamWindow {
  private read = 0;
  private waiting: (() => void) | undefined;
  /** Times the stream went on without word from the webview for stallMs. */
  stalls = 0;

  constructor(
    private readonly maxInFlight = MAX_IN_FLIGHT_BYTES,
    private readonly stallMs = STALL_MS,
  ) {}

  /** The worker has read `bytes` bytes of this stream. */
  consumed(bytes: number): void {
    if (bytes > this.read) this.read = bytes;
    this.waiting?.();
  }

  /** Stops waiting for good (the stream was cancelled, the editor closed). */
  release(): void {
    this.read = Infinity;
    this.waiting?.();
  }

  /** Resolves when `length` more bytes after `sent` keep the unread bytes within maxInFlight (or see the class). */
  async room(sent: number, length: number): Promise<void> {
    while (sent + length - Math.min(this.read, sent) > this.maxInFlight) {
      const moved = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.stallMs);
        this.waiting = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.waiting = undefined;
      if (!moved) {
        this.stalls++;
        return;
      }
    }
  }
}

/** Random access to the file being streamed. */
export interface ByteSource {
  /** Reads up to `length` bytes at `offset` (fewer at the end of the file; none past it). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface StreamResult {
  /** Bytes sent. */
  byteLength: number;
  /** Why the stream stopped before the end of the file (a read failed, the webview went away). */
  error?: string;
  /** A newer stream (or the editor closing) stopped this one; nothing more was sent. */
  cancelled: boolean;
}

export interface StreamOptions {
  /** Bytes per chunk (default TRACE_CHUNK_BYTES). */
  chunkBytes?: number;
  /** Stop when it returns true (checked before each read and each send). */
  cancelled?: () => boolean;
  /** Resolves when a chunk of `length` bytes after `sent` bytes may be sent (a StreamWindow's `room`); default at once. */
  room?: (sent: number, length: number) => Promise<void>;
}

/**
 * Sends the file's bytes in order, one `send(offset, bytes)` at a time, until a read returns fewer bytes than asked
 * (the end of the file: a file that grew or shrank while streaming is read to wherever its end is then). `send`
 * resolves false when the chunk could not be delivered: the stream stops with an error.
 */
export async function streamBytes(
  source: ByteSource,
  send: (offset: number, bytes: Uint8Array) => Promise<boolean>,
  options: StreamOptions = {},
): Promise<StreamResult> {
  const chunkBytes = options.chunkBytes ?? TRACE_CHUNK_BYTES;
  const cancelled = options.cancelled ?? (() => false);
  let offset = 0;
  for (;;) {
    if (cancelled()) return { byteLength: offset, cancelled: true };
    let bytes: Uint8Array;
    try {
      bytes = await source.read(offset, chunkBytes);
    } catch (error) {
      return { byteLength: offset, cancelled: false, error: `cannot read the trace: ${messageOf(error)}` };
    }
    if (bytes.length === 0) return { byteLength: offset, cancelled: false };
    if (options.room) await options.room(offset, bytes.length);
    if (cancelled()) return { byteLength: offset, cancelled: true };
    if (!(await send(offset, bytes)))
      return { byteLength: offset, cancelled: cancelled(), error: "the viewer did not take the trace's bytes" };
    offset += bytes.length;
    if (bytes.length < chunkBytes) return { byteLength: offset, cancelled: false };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
