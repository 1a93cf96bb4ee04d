// The trace parser's fast path: one event object read straight from the chunk's text, without JSON.parse of the
// whole event. onnxruntime's kernel events are ~0.4–1 kB, nearly all of it `args` (shapes, memory figures, thread
// pool stats) that an index never looks at; this reader takes the event's own keys (ph, name, cat, ts, dur, pid, tid,
// …) directly and, of `args`, only the keys asked for (the rest skipped by bracket and string, not parsed). Anything
// unusual (an escape in a key, a number it does not recognise, a literal it does not expect) makes it give up and
// return undefined: the parser then JSON.parses the event's text as before, so every event comes out as JSON.parse
// would give it (less the args keys left out) or is refused with its position. Pure TypeScript.
import type { TraceEvent } from "./trace-event";
import { closingQuote } from "./json-text";

/** Which keys of `args` to keep; phases whose args are kept whole (a counter's series are all its args). */
export interface ArgsSelection {
  keys: readonly string[];
  wholeForPhases: ReadonlySet<string>;
}

// Results beside the return value (no allocation per event): the index after the value read last, the newlines
// outside strings skipped since `readEvent` started.
let valueEnd = 0;
let newlines = 0;

const NEEDS_JSON = /[\u0000-\u001f\\]/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** The event keys met in nearly every event, to use without slicing them out of the text. */
const COMMON_KEYS = ["ph", "name", "cat", "ts", "dur", "pid", "tid", "args", "id", "s"];

function skipWs(s: string, i: number, to: number): number {
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) newlines++;
    else if (c !== 32 && c !== 13 && c !== 9) return i;
  }
  return i;
}

/** The key whose text is s[from, to) (between its quotes), or undefined when it needs JSON.parse. */
function keyAt(s: string, from: number, to: number): string | undefined {
  const n = to - from;
  for (const key of COMMON_KEYS) if (key.length === n && s.startsWith(key, from)) return key;
  const key = s.slice(from, to);
  return NEEDS_JSON.test(key) || key === "__proto__" ? undefined : key;
}

/** Whether s[from, to) is one of `keys`. */
function isKept(s: string, from: number, to: number, keys: readonly string[]): boolean {
  const n = to - from;
  for (const key of keys) if (key.length === n && s.startsWith(key, from)) return true;
  return false;
}

/** A string value starting at s[i] (its quote); sets valueEnd; undefined when it is not one. */
function readString(s: string, i: number, to: number): string | undefined {
  const j = closingQuote(s, i + 1);
  if (j < 0 || j >= to) return undefined;
  valueEnd = j + 1;
  const text = s.slice(i + 1, j);
  if (!NEEDS_JSON.test(text)) return text;
  try {
    return JSON.parse(s.slice(i, j + 1)) as string;
  } catch {
    return undefined;
  }
}

/** A number starting at s[i]; sets valueEnd; NaN when it is not a JSON number. */
function readNumber(s: string, i: number, to: number): number {
  let k = i;
  const negative = s.charCodeAt(k) === 45;
  if (negative) k++;
  const digits = k;
  let v = 0;
  for (; k < to; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  const c = k < to ? s.charCodeAt(k) : 0;
  if (k - digits > 0 && k - digits <= 15 && c !== 46 && c !== 101 && c !== 69) {
    if (s.charCodeAt(digits) === 48 && k - digits > 1) return NaN; // a leading zero
    valueEnd = k;
    return negative ? -v : v;
  }
  for (; k < to; k++) {
    const e = s.charCodeAt(k);
    if (!((e >= 48 && e <= 57) || e === 46 || e === 101 || e === 69 || e === 43 || e === 45)) break;
  }
  const text = s.slice(i, k);
  if (!NUMBER.test(text)) return NaN;
  valueEnd = k;
  return Number(text);
}

/** The index after the object or array starting at s[i], or -1 when it does not close before `to`. */
function nestedEnd(s: string, i: number, to: number): number {
  let depth = 0;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      i = closingQuote(s, i + 1);
      if (i < 0 || i >= to) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    } else if (c === 10) newlines++;
  }
  return -1;
}

const FAIL = Symbol("fail");

/** Any JSON value at s[i] (nested ones through JSON.parse of their text); sets valueEnd; FAIL when unsure. */
function readValue(s: string, i: number, to: number): unknown {
  const c = s.charCodeAt(i);
  if (c === 34) return readString(s, i, to) ?? FAIL;
  if (c === 45 || (c >= 48 && c <= 57)) {
    const v = readNumber(s, i, to);
    return Number.isNaN(v) ? FAIL : v;
  }
  if (c === 123 || c === 91) {
    const end = nestedEnd(s, i, to);
    if (end < 0) return FAIL;
    valueEnd = end;
    try {
      return JSON.parse(s.slice(i, end)) as unknown;
    } catch {
      return FAIL;
    }
  }
  if (s.startsWith("true", i)) return ((valueEnd = i + 4), true);
  if (s.startsWith("false", i)) return ((valueEnd = i + 5), false);
  if (s.startsWith("null", i)) return ((valueEnd = i + 4), null);
  return FAIL;
}

/** Skips any value at s[i] without building it; -1 when unsure. */
function skipValue(s: string, i: number, to: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) {
    const j = closingQuote(s, i + 1);
    return j < 0 || j >= to ? -1 : j + 1;
  }
  if (c === 123 || c === 91) return nestedEnd(s, i, to);
  let k = i;
  for (; k < to; k++) {
    const e = s.charCodeAt(k);
    if (!((e >= 48 && e <= 57) || (e >= 97 && e <= 122) || e === 46 || e === 43 || e === 45 || e === 69)) break;
  }
  return k > i ? k : -1;
}

/**
 * The object at s[i] walked key by key (keys with an escape, or `__proto__`, give up): each value is read when `keep`
 * is undefined or holds its key, else skipped. Sets valueEnd; FAIL when unsure.
 */
function readObject(s: string, i: number, to: number, keep: readonly string[] | undefined): unknown {
  const out: Record<string, unknown> = {};
  i = skipWs(s, i + 1, to);
  if (s.charCodeAt(i) === 125) {
    valueEnd = i + 1;
    return out;
  }
  for (;;) {
    if (s.charCodeAt(i) !== 34) return FAIL;
    const k = s.indexOf('"', i + 1);
    if (k < 0 || k >= to) return FAIL;
    const keyFrom = i + 1;
    i = skipWs(s, k + 1, to);
    if (s.charCodeAt(i) !== 58) return FAIL;
    i = skipWs(s, i + 1, to);
    if (keep === undefined || isKept(s, keyFrom, k, keep)) {
      const key = keyAt(s, keyFrom, k);
      if (key === undefined) return FAIL;
      const v = readValue(s, i, to);
      if (v === FAIL) return FAIL;
      out[key] = v;
      i = valueEnd;
    } else {
      if (s.charCodeAt(k - 1) === 92) return FAIL; // an escaped quote: the key does not end here
      i = skipValue(s, i, to);
      if (i < 0) return FAIL;
    }
    i = skipWs(s, i, to);
    const c = s.charCodeAt(i);
    if (c === 44) i = skipWs(s, i + 1, to);
    else if (c === 125) {
      valueEnd = i + 1;
      return out;
    } else return FAIL;
  }
}

/** An event's args at s[i]: whole for the phases that want them (or when not an object), else the selected keys. */
function readArgs(s: string, i: number, to: number, event: TraceEvent, select: ArgsSelection): unknown {
  const whole = s.charCodeAt(i) !== 123 || select.wholeForPhases.has(event.ph as string);
  return whole ? readValue(s, i, to) : readObject(s, i, to, select.keys);
}

/** Where the last event `readEvent` read ends (just after its `}`), and the newlines outside strings in it. */
export const lastEvent = { end: 0, newlines: 0 };

/**
 * The event object starting at s[from] (its `{`), read up to `to` at most, with only `select`'s keys of `args` (all of
 * them for its phases); lastEvent says where it ended. Undefined when the event does not end before `to` or is
 * anything this reader is not sure of.
 */
export function readEvent(s: string, from: number, to: number, select: ArgsSelection): TraceEvent | undefined {
  newlines = 0;
  const event: TraceEvent = {};
  let argsAt = -1;
  let i = skipWs(s, from + 1, to);
  if (s.charCodeAt(i) !== 125) {
    for (;;) {
      if (s.charCodeAt(i) !== 34) return undefined;
      const k = s.indexOf('"', i + 1);
      if (k < 0 || k >= to) return undefined;
      const key = keyAt(s, i + 1, k);
      if (key === undefined) return undefined;
      i = skipWs(s, k + 1, to);
      if (s.charCodeAt(i) !== 58) return undefined;
      i = skipWs(s, i + 1, to);
      if (key === "args" && event.ph !== undefined) {
        // The phase is known (onnxruntime writes it before args): read args in this pass.
        argsAt = -1;
        const args = readArgs(s, i, to, event, select);
        if (args === FAIL) return undefined;
        event.args = args as Record<string, unknown>;
        i = valueEnd;
      } else if (key === "args") {
        argsAt = i;
        i = skipValue(s, i, to);
        if (i < 0) return undefined;
        delete event.args; // a repeated key: the last one counts, as with JSON.parse
      } else {
        const v = readValue(s, i, to);
        if (v === FAIL) return undefined;
        event[key] = v;
        i = valueEnd;
      }
      i = skipWs(s, i, to);
      const c = s.charCodeAt(i);
      if (c === 44) i = skipWs(s, i + 1, to);
      else if (c === 125) break;
      else return undefined;
    }
  }
  if (i >= to) return undefined;
  lastEvent.end = i + 1;
  if (argsAt >= 0) {
    // Read last: the event's phase decides how much of it to keep.
    const lines = newlines;
    const args = readArgs(s, argsAt, to, event, select);
    if (args === FAIL) return undefined;
    event.args = args as Record<string, unknown>;
    newlines = lines;
  }
  lastEvent.newlines = newlines;
  return event;
}

/** `args` reduced to `select`'s keys (for events that came through JSON.parse), in place. */
export function selectArgs(event: TraceEvent, select: ArgsSelection): void {
  const args = event.args;
  if (args === null || typeof args !== "object" || Array.isArray(args)) return;
  if (select.wholeForPhases.has(event.ph as string)) return;
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(args)) if (select.keys.includes(key)) kept[key] = args[key];
  event.args = kept;
}
