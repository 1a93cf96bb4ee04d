// Slice colours (pure): a colour key (an op type or a name) picks one of the theme's chart colours by a stable hash,
// so an op type keeps its colour across zoom levels, reloads and the two traces of a compare.

/** FNV-1a of the key: the same key gives the same colour everywhere. */
export function colourIndex(key: string, paletteSize: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % Math.max(1, paletteSize);
}

/** A hex colour (#rgb or #rrggbb, optionally with alpha) mixed toward `toward` by `t` (0..1), as #rrggbb. */
export function mix(colour: string, toward: string, t: number): string {
  const a = parseHex(colour);
  const b = parseHex(toward);
  if (!a || !b) return colour;
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * t));
  return `#${c.map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

export function parseHex(colour: string): [number, number, number] | undefined {
  const m = /^#([0-9a-f]{3,8})$/i.exec(colour.trim());
  if (!m) return undefined;
  let h = m[1];
  if (h.length === 3 || h.length === 4) h = [...h.slice(0, 3)].map((c) => c + c).join("");
  if (h.length < 6) return undefined;
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Black or white text, whichever reads better on `background`. */
export function textOn(background: string): string {
  const c = parseHex(background);
  if (!c) return "#000000";
  const luminance = (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255;
  return luminance > 0.55 ? "#000000" : "#ffffff";
}
