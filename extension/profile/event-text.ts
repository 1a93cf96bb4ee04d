// The text of one trace event read again from the file, for the profile viewer's details panel (EventTextRequest):
// the webview's index keeps each event's byte offset (its `{`), not its `args`. From that offset a small scanner
// reads forward, block by block, to the matching `}` (strings and their escapes skipped, nesting counted), and never
// further than a bound, so a wrong offset or a damaged file cannot make the host read a whole 1 GB trace. It scans
// bytes: every byte of a multi-byte UTF-8 character is ≥ 0x80, so none is mistaken for `"`, `\`, `{` or `}`. Pure.
import type { ByteSource } from "./trace-stream";

/** The longest event text read back (onnxruntime's kernel events are ~1 kB; Chromium's rarely exceed 100 kB). */
export const MAX_EVENT_BYTES = 1024 * 1024;
const BLOCK_BYTES = 16 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Scanner state between blocks: inside a string, after a backslash, and the nesting depth. */
interface ScanState {
  depth: number;
  inString: boolean;
  escaped: boolean;
}

/** Index in `bytes` just past the `}` closing the object opened at depth 1, or -1 when it is not in this block. */
export function scanObjectEnd(bytes: Uint8Array, state: ScanState, from = 0): number {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (state.inString) {
      if (state.escaped) state.escaped = false;
      else if (b === BACKSLASH) state.escaped = true;
      else if (b === QUOTE) state.inString = false;
    } else if (b === QUOTE) state.inString = true;
    else if (b === OPEN || b === OPEN_ARRAY) state.depth++;
    else if (b === CLOSE || b === CLOSE_ARRAY) {
      state.depth--;
      if (state.depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The JSON text of the event whose `{` is at byte `offset`. Throws when there is no `{` there, when the object does
 * not end within `maxBytes`, or when the file ends first.
 */
export async function readEventText(source: ByteSource, offset: number, maxBytes = MAX_EVENT_BYTES): Promise<string> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`not a byte offset: ${offset}`);
  const blocks: Uint8Array[] = [];
  const state: ScanState = { depth: 0, inString: false, escaped: false };
  let read = 0;
  while (read < maxBytes) {
    const block = await source.read(offset + read, Math.min(BLOCK_BYTES, maxBytes - read));
    if (block.length === 0) break;
    if (read === 0 && block[0] !== OPEN) throw new Error(`no event starts at byte ${offset}`);
    const end = scanObjectEnd(block, state);
    if (end >= 0) {
      blocks.push(block.subarray(0, end));
      return new TextDecoder("utf-8").decode(concat(blocks));
    }
    blocks.push(block);
    read += block.length;
  }
  throw new Error(
    read >= maxBytes
      ? `the event at byte ${offset} is longer than ${maxBytes} bytes`
      : `the trace ends inside the event at byte ${offset}`,
  );
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
