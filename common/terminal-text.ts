// Untrusted text made visible instead of interpreted: names and paths from models and recipes reach terminals (the
// CLI's output, the extension's run terminal), where an escape sequence in a node name could set the window title,
// rewrite lines or hide text. `visible` shows every character a terminal would act on as an escape: C0 controls
// and ESC as `\x1b`, DEL, C1 controls and the invisible direction and line-separator characters as `\u009b`,
// `\u202e` (bidi overrides and isolates reorder the text around them). Apply it to the untrusted part of a line,
// never to a line that carries the renderer's own colours. Pure: no host globals.

export interface VisibleOptions {
  /** Keep "\n", "\t" and "\r\n" (a message of several lines); default false: a name shows them as escapes. */
  multiline?: boolean;
}

/** C0 controls, DEL, C1 controls, LRM/RLM/ALM, line and paragraph separators, bidi embeddings/overrides/isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/** `\x1b` for a C0 control, `\u009b` for the rest (the form JSON also reads, so JSON text stays JSON). */
function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/** `text` with every character a terminal would act on shown as an escape (see the file's header). */
export function visible(text: string, options: VisibleOptions = {}): string {
  if (!UNSAFE_TEST.test(text)) return text;
  return text.replace(UNSAFE, (c, offset: number) => {
    if (options.multiline && (c === "\n" || c === "\t" || (c === "\r" && text[offset + 1] === "\n"))) return c;
    return escapeChar(c);
  });
}

/**
 * A command's output made safe for a terminal, whether it is human text or JSON: like `visible` with newlines and
 * tabs kept. JSON text stays valid and means the same (JSON.stringify already escapes C0 controls inside strings, and
 * the other characters become `\uXXXX` escapes, which JSON reads back as the same characters).
 */
export function visibleOutput(text: string): string {
  return visible(text, { multiline: true });
}
