// Small pieces of JSON text scanning for the trace parser: finding a string's closing quote past escapes (with the
// engine's indexOf, much faster than stepping through the characters), the characters of a skipped scalar, and a
// character as an error message shows it.

/** A character for a message: itself when printable ASCII, else its code point. */
export function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The first unescaped `"` in s from index `from` (where a string's content resumes), or -1. */
export function closingQuote(s: string, from: number): number {
  let j = s.indexOf('"', from);
  while (j > from && s.charCodeAt(j - 1) === 92) {
    if ((backslashesBefore(s, j, from) & 1) === 0) break;
    j = s.indexOf('"', j + 1);
  }
  return j;
}

/** How many backslashes come right before s[end], not looking before `from`. */
export function backslashesBefore(s: string, end: number, from: number): number {
  let k = end;
  while (k > from && s.charCodeAt(k - 1) === 92) k--;
  return end - k;
}

export function isScalarChar(c: number): boolean {
  // digits, letters (true/false/null, exponents), + - .
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 43 || c === 45 || c === 46;
}
