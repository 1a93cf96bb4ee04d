// UTF-8 helpers for the trace parser, in plain TypeScript: the byte length of text (for byte offsets in errors), and
// a decoder of bytes that arrive in chunks cut anywhere (inside a multi-byte character too), over the host's
// TextDecoder (node and browsers both have one; common/ declares only the little of it that it uses).

interface Utf8Decoder {
  decode(bytes: Uint8Array): string;
}
type DecoderConstructor = new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder;

/** A strict UTF-8 decoder (invalid bytes throw; a BOM is kept), or undefined when the host has no TextDecoder. */
function createUtf8Decoder(): Utf8Decoder | undefined {
  const Decoder = (globalThis as { TextDecoder?: DecoderConstructor }).TextDecoder;
  return Decoder ? new Decoder("utf-8", { fatal: true, ignoreBOM: true }) : undefined;
}

const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_RUNS = /[\x00-\x7f]+/g;

/** Bytes of `text.slice(from, to)` in UTF-8 (a surrogate pair is 4; a lone surrogate counts 2, not its 3). */
export function utf8Length(text: string, from = 0, to = text.length): number {
  const part = from === 0 && to === text.length ? text : text.slice(from, to);
  if (!NON_ASCII.test(part)) return part.length;
  // The regular expression engine drops the ASCII runs faster than a loop would step over them.
  const others = part.replace(ASCII_RUNS, "");
  let bytes = part.length - others.length;
  for (let i = 0; i < others.length; i++)
    bytes += others.charCodeAt(i) < 0x800 ? 2 : isSurrogate(others.charCodeAt(i)) ? 2 : 3;
  return bytes;
}

function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
}

/** The bytes a character starting with `lead` takes (1 for a byte that cannot start one; the decoder refuses it). */
export function utf8SequenceLength(lead: number): number {
  if (lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf8) return 4;
  return 1;
}

/**
 * Where the whole characters of `bytes` end: `bytes.length`, or the start of a multi-byte character cut off by the
 * chunk's end (its bytes belong with the next chunk's first ones).
 */
export function wholeCharactersEnd(bytes: Uint8Array): number {
  const n = bytes.length;
  // A character is at most 4 bytes: its lead byte is among the last 4.
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    return i + utf8SequenceLength(b) > n ? i : n;
  }
  return n;
}

/** Bytes that are not UTF-8, among the `byteCount` bytes a chunk decoder was given in one piece. */
export class InvalidUtf8Error extends Error {
  constructor(readonly byteCount: number) {
    super(`not UTF-8 text: invalid bytes within the ${byteCount} bytes from here`);
  }
}

/** Decodes UTF-8 that arrives in chunks cut anywhere; a character cut off by a chunk's end waits for the next one. */
export class Utf8ChunkDecoder {
  private decoder: Utf8Decoder | undefined;
  private pending: Uint8Array | undefined;

  /** Bytes of a character cut off by the last chunk's end (0 when the chunks so far end with whole characters). */
  get pendingByteCount(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Hands the whole characters of `bytes` to `take` as text with their byte count (in up to two pieces). Throws
   * InvalidUtf8Error for bytes that are not UTF-8 (the pieces before have been taken).
   */
  push(bytes: Uint8Array, take: (text: string, byteCount: number) => void): void {
    const pending = this.pending;
    if (pending) {
      const need = utf8SequenceLength(pending[0]) - pending.length;
      const count = Math.min(need, bytes.length);
      const joined = new Uint8Array(pending.length + count);
      joined.set(pending);
      joined.set(bytes.subarray(0, count), pending.length);
      bytes = bytes.subarray(count);
      if (count < need) {
        this.pending = joined;
        return;
      }
      this.pending = undefined;
      take(this.decode(joined), joined.length);
    }
    const whole = wholeCharactersEnd(bytes);
    if (whole < bytes.length) this.pending = bytes.slice(whole);
    if (whole > 0) take(this.decode(bytes.subarray(0, whole)), whole);
  }

  private decode(bytes: Uint8Array): string {
    const decoder = (this.decoder ??= createUtf8Decoder());
    if (!decoder) throw new Error("this JavaScript host has no TextDecoder: feed the trace as text");
    try {
      return decoder.decode(bytes);
    } catch {
      throw new InvalidUtf8Error(bytes.length);
    }
  }
}
