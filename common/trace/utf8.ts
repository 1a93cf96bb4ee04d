// UTF-8 helpers for the trace parser, in plain TypeScript: the byte length of text (for byte offsets in errors), where
// a chunk of bytes stops being whole characters (a chunk may end inside a multi-byte character), and the host's
// TextDecoder (node and browsers both have one; common/ declares only the little of it that it uses).

interface Utf8Decoder {
  decode(bytes: Uint8Array): string;
}
type DecoderConstructor = new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder;

/** A strict UTF-8 decoder (invalid bytes throw; a BOM is kept), or undefined when the host has no TextDecoder. */
export function createUtf8Decoder(): Utf8Decoder | undefined {
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
