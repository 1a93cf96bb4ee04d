// Colour scales for overlays (pure): latency heat, quantization error (SQNR) and provider partitions. Colours are
// bucketed so the renderer can fill every box of one colour in a single path. Theme colours (VS Code's charts
// palette) are passed in; the heat ramp is fixed so the legend means the same in every theme.

/** Buckets of the heat and SQNR ramps. */
export const SCALE_BUCKETS = 8;

/** Cool to hot, readable on dark and light backgrounds. */
export const HEAT_RAMP = ["#2b5d9e", "#3f86b8", "#5fae9d", "#9cc46a", "#e0c341", "#ee9a35", "#e5602c", "#c42b2b"];

/** Good (high SQNR) to bad: green, yellow, red. */
export const SQNR_RAMP = ["#2e8b57", "#5aa54a", "#8fbc3f", "#c9c340", "#e8a33a", "#e57a32", "#d9502c", "#b8252a"];

/** SQNR at or above this is the best bucket; at or below SQNR_BAD_DB the worst. */
export const SQNR_GOOD_DB = 40;
export const SQNR_BAD_DB = 10;

/** The bucket (0 … SCALE_BUCKETS-1) of a value in [0, 1]. */
export function bucketOf(t: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(SCALE_BUCKETS - 1, Math.max(0, Math.floor(t * SCALE_BUCKETS)));
}

/**
 * Latency heat of a node's time against the slowest node's, on a log scale (kernel times span orders of magnitude;
 * a linear scale paints all but a few nodes the coolest colour).
 */
export function heatBucket(us: number, maxUs: number): number {
  if (!(us > 0) || !(maxUs > 0)) return 0;
  const t = Math.log1p(us) / Math.log1p(maxUs);
  return bucketOf(t);
}

/** The SQNR bucket: 0 is good (≥ SQNR_GOOD_DB), the last is bad (≤ SQNR_BAD_DB); null (not finite) counts as bad. */
export function sqnrBucket(sqnrDb: number | null, note?: string): number {
  if (note === "identical") return 0;
  if (sqnrDb === null) return SCALE_BUCKETS - 1;
  const t = (SQNR_GOOD_DB - sqnrDb) / (SQNR_GOOD_DB - SQNR_BAD_DB);
  return bucketOf(Math.min(0.999, Math.max(0, t)));
}

/** The legend's stops for a bucketed scale: each bucket's colour and the value at its lower edge. */
export function legendStops(ramp: readonly string[], from: number, to: number): { colour: string; value: number }[] {
  return ramp.map((colour, i) => ({ colour, value: from + ((to - from) * i) / ramp.length }));
}

/** A partition's colour from the theme palette (cycled); CPU fallback has its own. */
export function partitionColour(
  placement: { placement: "provider" | "cpu"; partition?: number } | undefined,
  palette: readonly string[],
  cpuColour: string,
): string | undefined {
  if (!placement) return undefined;
  if (placement.placement === "cpu") return cpuColour;
  if (palette.length === 0) return undefined;
  return palette[(placement.partition ?? 0) % palette.length];
}

/** "#rrggbb" or "rgb(r, g, b)" to [r, g, b], or undefined. */
export function parseColour(text: string): [number, number, number] | undefined {
  const s = text.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(s);
  if (hex) {
    const h = hex[1];
    if (h.length === 3 || h.length === 4)
      return [0, 1, 2].map((i) => parseInt(h[i] + h[i], 16)) as [number, number, number];
    if (h.length === 6 || h.length === 8)
      return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
    return undefined;
  }
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(s);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : undefined;
}

/** Black or white, whichever reads better on `background`. */
export function textOn(background: string): string {
  const rgb = parseColour(background);
  if (!rgb) return "#000000";
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.35 ? "#000000" : "#ffffff";
}
