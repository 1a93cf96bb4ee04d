// Splits the engine's stdout into JSON-lines events. Pure (no VS Code, no process): chunks may split a line anywhere,
// including inside a multi-byte character, so the reader decodes with a streaming TextDecoder and keeps the partial
// last line until its newline arrives. Lines that are not a JSON object with a string `type` go to `onOther`.
import type { EngineEvent } from "../../engine/events";

export interface JsonLinesReader {
  /** Feeds a chunk of stdout (bytes or text). */
  push(chunk: Uint8Array | string): void;
  /** Flushes the last line when the stream ends without a newline. */
  end(): void;
}

export function createJsonLinesReader(
  onEvent: (event: EngineEvent) => void,
  onOther: (line: string) => void,
): JsonLinesReader {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  const line = (text: string) => {
    const trimmed = text.replace(/\r$/, "");
    if (trimmed.trim() === "") return;
    const event = parseEvent(trimmed);
    if (event) onEvent(event);
    else onOther(trimmed);
  };
  return {
    push(chunk) {
      pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        line(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    },
    end() {
      pending += decoder.decode();
      const rest = pending;
      pending = "";
      line(rest);
    },
  };
}

function parseEvent(text: string): EngineEvent | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string")
      return value as EngineEvent;
  } catch {
    // not JSON: the caller logs it
  }
  return undefined;
}
