// A streaming reader of Chrome trace JSON (onnxruntime's profiles): fed text or UTF-8 bytes in chunks cut anywhere,
// it finds each event object's end with a small scanner (strings, escapes, nesting), JSON.parses that one object's
// text and hands the event to a callback. It holds at most one event's text plus the current chunk, so traces far
// larger than the biggest string a JavaScript engine can make (V8: ~512 MB) are read in bounded memory.
//
// Accepted: a bare array of events, or an object whose `traceEvents` key is that array (other keys, before or after
// it, are skipped without being kept: their brackets and strings are checked, their scalars only loosely). A trace
// that ends before its closing `]` (what a killed process leaves) is not an error: the result says `truncated` and
// every complete event has been delivered. Anything else malformed throws a TraceSyntaxError with the byte offset
// and line. Pure TypeScript (no node, no DOM): the engine and the profile viewer both use it.
//
// Each event comes with its byte offset in the input (its `{`), so a viewer can read one event's text again later.
// With `args` selected (what an index needs: a few keys of each event's args), events are read by a hand-written
// reader of their fields (event-fields.ts) instead of JSON.parse, skipping the rest of their args unparsed: several
// times faster on onnxruntime's traces. The skipped part of args is then checked only for its brackets and strings.
// The scanning under this grammar (chunks, byte offsets, carried text, strings, errors) is trace-scanner.ts's.
import { type TraceEvent, phaseKey } from "./trace-event";
import { describe, isScalarChar } from "./json-text";
import { InvalidUtf8Error, Utf8ChunkDecoder, utf8Length } from "./utf8";
import { type ArgsSelection, lastEvent, readEvent, selectArgs } from "./event-fields";
import {
  ARR_AFTER,
  ARR_FIRST,
  ARR_NEXT,
  END,
  EVENT,
  KEY,
  OBJ_AFTER,
  OBJ_COLON,
  OBJ_FIRST,
  OBJ_KEY,
  OBJ_VALUE,
  SCALAR,
  SKIP,
  START,
  TraceScanner,
} from "./trace-scanner";

export interface TraceParserOptions {
  /**
   * Called with each event and its byte offset in the input (its `{`), in file order. An exception it throws stops
   * the parse and propagates.
   */
  onEvent: (event: TraceEvent, byteOffset: number) => void;
  /**
   * Keep only these keys of each event's `args` (all of them for events of `wholeForPhases`, e.g. counters); the
   * others are skipped without being parsed. Default: events exactly as JSON.parse gives them.
   */
  args?: { keys: readonly string[]; wholeForPhases?: readonly string[] };
  /** The longest event (in characters) accepted; default 8,000,000. Bounds the parser's memory. */
  maxEventChars?: number;
}

export interface TraceParseResult {
  form: "array" | "object";
  eventCount: number;
  /** Events per phase (`ph`; "?" for events without one). */
  phaseCounts: Record<string, number>;
  /** The input ended before the trace was closed; all complete events were delivered, a partial last one dropped. */
  truncated: boolean;
  /** UTF-8 bytes read. */
  byteLength: number;
  /** Lines read (1 + newlines outside strings). */
  lineCount: number;
  /** The longest event's text, in characters. */
  maxEventChars: number;
  /** The most text the parser held from one chunk to the next (a partial event or key), in characters. */
  maxCarriedChars: number;
}

const DEFAULT_MAX_EVENT_CHARS = 8_000_000;

export class TraceParser extends TraceScanner {
  private readonly onEvent: (event: TraceEvent, byteOffset: number) => void;
  private readonly select: ArgsSelection | undefined;
  private readonly bytes = new Utf8ChunkDecoder();

  private form: "array" | "object" | undefined;
  private inObject = false;
  private sawTraceEvents = false;
  private key = "";
  private ended = false;

  private eventCount = 0;
  private readonly phaseCounts = new Map<string, number>();
  private maxEvent = 0;

  constructor(options: TraceParserOptions) {
    super(options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS);
    this.onEvent = options.onEvent;
    if (options.args)
      this.select = { keys: [...options.args.keys], wholeForPhases: new Set(options.args.wholeForPhases ?? []) };
  }

  /** Feeds the next piece of the trace: text, or UTF-8 bytes cut anywhere (even inside a character). */
  write(chunk: string | Uint8Array): void {
    if (this.ended) throw new Error("TraceParser.write after end()");
    if (typeof chunk === "string") {
      if (this.bytes.pendingByteCount > 0) throw this.errorAtByte("not UTF-8 text: a character cut off", this.byteBase);
      this.feed(chunk, utf8Length(chunk));
      return;
    }
    try {
      this.bytes.push(chunk, (text, byteCount) => this.feed(text, byteCount));
    } catch (e) {
      if (e instanceof InvalidUtf8Error) throw this.errorAtByte(e.message, this.byteBase);
      throw e;
    }
  }

  /** Ends the input: the result, or a TraceSyntaxError when the input was empty or not a trace. */
  end(): TraceParseResult {
    if (this.ended) throw new Error("TraceParser.end called twice");
    this.ended = true;
    const mode = this.mode;
    if (mode === START) {
      if (this.bytes.pendingByteCount > 0) throw this.errorAtByte("not UTF-8 text", this.byteBase);
      throw this.errorAtByte("the trace is empty: no [ or {", this.byteBase);
    }
    if (mode === END && this.bytes.pendingByteCount > 0) throw this.errorAtByte("not UTF-8 text", this.byteBase);
    // A partial event or key (what a killed writer leaves) is dropped.
    this.parts = [];
    this.startChunk = "";
    const truncated = mode !== END;
    return {
      form: this.form ?? "array",
      eventCount: this.eventCount,
      phaseCounts: Object.fromEntries(this.phaseCounts),
      truncated,
      byteLength: this.byteBase + this.bytes.pendingByteCount,
      lineCount: this.line,
      maxEventChars: this.maxEvent,
      maxCarriedChars: this.maxCarried,
    };
  }

  private feed(s: string, sBytes: number): void {
    this.chunk = s;
    this.chunkAscii = s.length === sBytes;
    this.cursorIndex = 0;
    this.cursorBytes = 0;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const mode = this.mode;
      if (mode === EVENT) i = this.scanEvent(s, i);
      else if (mode === SKIP) i = this.scanSkip(s, i);
      else if (mode === KEY) i = this.scanKey(s, i);
      else if (mode === SCALAR) {
        while (i < n && isScalarChar(s.charCodeAt(i))) i++;
        if (i < n) this.mode = OBJ_AFTER;
      } else i = this.token(s, i);
    }
    this.byteBase += sBytes;
  }

  /** Skips whitespace, then takes one structural token in a mode between values. */
  private token(s: string, i: number): number {
    const n = s.length;
    let c = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c === 10) this.line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
    }
    if (i >= n) return n;
    switch (this.mode) {
      case START:
        if (c === 91) {
          this.form = "array";
          this.mode = ARR_FIRST;
          return i + 1;
        }
        if (c === 123) {
          this.form = "object";
          this.inObject = true;
          this.mode = OBJ_FIRST;
          return i + 1;
        }
        if (c === 0xfeff && this.byteBase === 0 && i === 0) return i + 1; // a byte order mark
        throw this.error(i, `not a Chrome trace: it starts with ${describe(c)}, not [ or {`);
      case OBJ_FIRST:
      case OBJ_KEY:
        if (c === 34) {
          this.begin(s, i, KEY);
          return i;
        }
        if (c === 125 && this.mode === OBJ_FIRST) return this.closeObject(i);
        throw this.error(i, `expected a key (a string) in the trace object, found ${describe(c)}`);
      case OBJ_COLON:
        if (c === 58) {
          this.mode = OBJ_VALUE;
          return i + 1;
        }
        throw this.error(i, `expected ":" after the key "${this.key}", found ${describe(c)}`);
      case OBJ_VALUE:
        if (this.key === "traceEvents") {
          if (c !== 91) throw this.error(i, `traceEvents is not an array: it starts with ${describe(c)}`);
          this.sawTraceEvents = true;
          this.mode = ARR_FIRST;
          return i + 1;
        }
        if (c === 123 || c === 91 || c === 34) {
          this.mode = SKIP;
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          return i;
        }
        if (isScalarChar(c)) {
          this.mode = SCALAR;
          return i;
        }
        throw this.error(i, `expected the value of "${this.key}", found ${describe(c)}`);
      case OBJ_AFTER:
        if (c === 44) {
          this.mode = OBJ_KEY;
          return i + 1;
        }
        if (c === 125) return this.closeObject(i);
        throw this.error(i, `expected "," or "}" in the trace object, found ${describe(c)}`);
      case ARR_FIRST:
      case ARR_NEXT:
        if (c === 123) {
          this.begin(s, i, EVENT);
          if (this.select === undefined) return i;
          // The fast reader straight from the chunk; an event it cannot finish here goes to the scanner.
          const event = readEvent(s, i, n, this.select);
          if (event === undefined) return i;
          this.mode = ARR_AFTER;
          this.line += lastEvent.newlines;
          if (lastEvent.end - i > this.maxEvent) this.maxEvent = lastEvent.end - i;
          this.count(event);
          return lastEvent.end;
        }
        if (c === 93 && this.mode === ARR_FIRST) return this.closeArray(i);
        throw this.error(
          i,
          c === 93 ? `a "," before "]": expected an event` : `expected an event (an object), found ${describe(c)}`,
        );
      case ARR_AFTER:
        if (c === 44) {
          this.mode = ARR_NEXT;
          return i + 1;
        }
        if (c === 93) return this.closeArray(i);
        throw this.error(i, `expected "," or "]" after an event, found ${describe(c)}`);
      default:
        throw this.error(i, `unexpected ${describe(c)} after the end of the trace`);
    }
  }

  private closeArray(i: number): number {
    this.mode = this.inObject ? OBJ_AFTER : END;
    return i + 1;
  }

  private closeObject(i: number): number {
    if (!this.sawTraceEvents) throw this.error(i, "not a Chrome trace: an object without traceEvents");
    this.mode = END;
    return i + 1;
  }

  protected override deliver(text: string): void {
    if (this.select !== undefined) {
      const event = readEvent(text, 0, text.length, this.select);
      if (event !== undefined && lastEvent.end === text.length) {
        if (text.length > this.maxEvent) this.maxEvent = text.length;
        this.count(event);
        return;
      }
    }
    let event: TraceEvent;
    try {
      event = JSON.parse(text) as TraceEvent;
    } catch (e) {
      const message = (e as Error).message;
      const at = /position (\d+)/.exec(message);
      const position = at ? Math.min(Number(at[1]), text.length) : 0;
      throw this.errorAtStart(`an event is not valid JSON (${message})`, text, position);
    }
    if (text.length > this.maxEvent) this.maxEvent = text.length;
    if (this.select !== undefined && event !== null && typeof event === "object") selectArgs(event, this.select);
    this.count(event);
  }

  private count(event: TraceEvent): void {
    this.eventCount++;
    const ph = phaseKey(event);
    this.phaseCounts.set(ph, (this.phaseCounts.get(ph) ?? 0) + 1);
    this.onEvent(event, this.startOffset);
  }

  /** Scans a top-level key's string from s[i] (its opening quote first). */
  private scanKey(s: string, i: number): number {
    const from = i;
    if (!this.inString) {
      this.inString = true;
      i++; // the opening quote
    }
    const j = this.stringEnd(s, i);
    if (j < 0) return this.carry(s, from);
    this.inString = false;
    const text = this.takeText(s, from, j + 1);
    try {
      this.key = JSON.parse(text) as string;
    } catch (e) {
      throw this.errorAtStart(`a key is not a valid JSON string (${(e as Error).message})`, text, 0);
    }
    this.mode = OBJ_COLON;
    return j + 1;
  }
}
