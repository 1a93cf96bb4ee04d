// The lexical layer under the trace parser (trace-parser.ts, which adds the grammar: the top-level array or object,
// its keys, and what becomes of each event): the chunk being scanned and its byte offsets (counted lazily in chunks
// that are not all ASCII), lines, where the current event or top-level key started, the text it carries from one
// chunk to the next (bounded by the longest event accepted), strings cut anywhere (even inside an escape), an event
// object's extent, a skipped value (nesting and strings checked, nothing kept), and TraceSyntaxErrors with the byte
// offset and line. The scanner's modes are the parser's: scanning an event, a key or a skipped value ends by moving
// on to the next one. Pure TypeScript (no node, no DOM).
import { TraceSyntaxError } from "./trace-syntax-error";
import { backslashesBefore, closingQuote } from "./json-text";
import { utf8Length } from "./utf8";

// Where the scanner is. Modes that hold no text between tokens are handled by the parser's `token`.
export const START = 0; // before the top-level value
export const OBJ_FIRST = 1; // after the top-level `{`: a key or `}`
export const OBJ_KEY = 2; // after `,` in the top-level object: a key
export const KEY = 3; // inside a top-level key's string
export const OBJ_COLON = 4; // after a key: `:`
export const OBJ_VALUE = 5; // after `:`: the key's value
export const SKIP = 6; // inside a value that is not traceEvents (nested or a string): skipped
export const SCALAR = 7; // inside a number, true, false or null that is skipped
export const OBJ_AFTER = 8; // after a top-level value: `,` or `}`
export const ARR_FIRST = 9; // after `[`: an event or `]`
export const ARR_NEXT = 10; // after `,` in the events array: an event
export const ARR_AFTER = 11; // after an event: `,` or `]`
export const EVENT = 12; // inside an event object
export const END = 13; // after the top-level value: whitespace only

export abstract class TraceScanner {
  protected mode = START;
  // The scanner inside an event, a key or a skipped value.
  protected depth = 0;
  protected inString = false;
  protected escaped = false;
  /** Text of the current event or key from earlier chunks. */
  protected parts: string[] = [];
  protected partsChars = 0;
  // Where the current event or key started, for error positions: its chunk, index, the bytes before that chunk, line.
  protected startChunk = "";
  private startIndex = 0;
  private startBase = 0;
  private startAscii = true;
  private startLine = 1;
  /** The current event's byte offset. */
  protected startOffset = 0;
  // In a chunk that is not all ASCII: the byte offset of character `cursorIndex` (events' offsets are found forward
  // from the last one, so a chunk's bytes are counted once).
  protected cursorIndex = 0;
  protected cursorBytes = 0;

  // The chunk being scanned.
  protected chunk = "";
  protected chunkAscii = true;
  protected byteBase = 0;
  protected line = 1;

  protected maxCarried = 0;

  constructor(protected readonly maxEventChars: number) {}

  /** Parses and delivers one event's whole text (at its closing brace). */
  protected abstract deliver(text: string): void;

  /** An event or key starts at s[i] (its `{` or `"`, not consumed). */
  protected begin(s: string, i: number, mode: number): void {
    this.mode = mode;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.startChunk = s;
    this.startIndex = i;
    this.startBase = this.byteBase;
    this.startAscii = this.chunkAscii;
    this.startLine = this.line;
    if (this.chunkAscii) this.startOffset = this.byteBase + i;
    else {
      this.cursorBytes += utf8Length(s, this.cursorIndex, i);
      this.cursorIndex = i;
      this.startOffset = this.byteBase + this.cursorBytes;
    }
  }

  /** Keeps s.slice(from) of a partial event or key for the next chunk; returns the chunk's length. */
  protected carry(s: string, from: number): number {
    const part = s.slice(from);
    if (part.length > 0) this.parts.push(part);
    this.partsChars += part.length;
    if (this.partsChars > this.maxCarried) this.maxCarried = this.partsChars;
    if (this.partsChars > this.maxEventChars) {
      throw this.errorAtStart(
        `${this.mode === KEY ? "a key" : "an event"} longer than ${this.maxEventChars} characters`,
        "",
        0,
      );
    }
    return s.length;
  }

  protected takeText(s: string, from: number, to: number): string {
    if (this.parts.length === 0) return s.slice(from, to);
    this.parts.push(s.slice(from, to));
    const text = this.parts.join("");
    this.parts = [];
    this.partsChars = 0;
    return text;
  }

  /**
   * Continues a string whose content resumes at s[i] (after its opening quote, or at a chunk's start): the index of
   * its closing quote, or -1 when the chunk ends inside it (then `escaped` says whether its last backslash is open).
   */
  protected stringEnd(s: string, i: number): number {
    if (this.escaped) {
      this.escaped = false;
      i++; // the escaped character at the chunk's start
    }
    const j = closingQuote(s, i);
    if (j < 0) this.escaped = (backslashesBefore(s, s.length, i) & 1) === 1;
    return j;
  }

  /** Scans an event from s[i]; at its closing brace, parses and delivers it. */
  protected scanEvent(s: string, i: number): number {
    const from = i;
    const n = s.length;
    let depth = this.depth;
    if (this.inString) {
      const j = this.stringEnd(s, i);
      if (j < 0) return this.carry(s, from);
      this.inString = false;
      i = j + 1;
    }
    let lines = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        const j = closingQuote(s, i + 1);
        if (j < 0) {
          this.escaped = (backslashesBefore(s, n, i + 1) & 1) === 1;
          this.inString = true;
          break;
        }
        i = j;
      } else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) {
          this.line += lines;
          this.mode = ARR_AFTER;
          this.deliver(this.takeText(s, from, i + 1));
          return i + 1;
        }
      } else if (c === 10) lines++;
    }
    this.line += lines;
    this.depth = depth;
    return this.carry(s, from);
  }

  /** Skips a nested value or a string of a key other than traceEvents, from s[i]; keeps none of its text. */
  protected scanSkip(s: string, i: number): number {
    const n = s.length;
    if (this.inString) {
      const j = this.stringEnd(s, i);
      if (j < 0) return n;
      this.inString = false;
      i = j + 1;
      if (this.depth === 0) {
        this.mode = OBJ_AFTER;
        return i;
      }
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        const j = closingQuote(s, i + 1);
        if (j < 0) {
          this.escaped = (backslashesBefore(s, n, i + 1) & 1) === 1;
          this.inString = true;
          return n;
        }
        i = j;
        if (this.depth === 0) {
          this.mode = OBJ_AFTER;
          return i + 1;
        }
      } else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          this.mode = OBJ_AFTER;
          return i + 1;
        }
      } else if (c === 10) this.line++;
    }
    return n;
  }

  protected error(i: number, reason: string): TraceSyntaxError {
    const offset = this.byteBase + (this.chunkAscii ? i : utf8Length(this.chunk, 0, i));
    return new TraceSyntaxError(reason, offset, this.line);
  }

  protected errorAtByte(reason: string, offset: number): TraceSyntaxError {
    return new TraceSyntaxError(reason, offset, this.line);
  }

  /** An error in the current event or key, `position` characters into its `text`. */
  protected errorAtStart(reason: string, text: string, position: number): TraceSyntaxError {
    const start =
      this.startBase + (this.startAscii ? this.startIndex : utf8Length(this.startChunk, 0, this.startIndex));
    let line = this.startLine;
    for (let p = text.indexOf("\n"); p >= 0 && p < position; p = text.indexOf("\n", p + 1)) line++;
    return new TraceSyntaxError(reason, start + utf8Length(text, 0, position), line);
  }
}
