// The one set of formatters for numbers shown to people: plain numbers, counts, bytes, durations, percentages and
// ratios. Every human surface (the CLI's text, report.md, the run terminal, the report view, hovers) uses these.
//
// THE UNIT CONVENTION of the product: bytes are counted in decimal SI units, kB = 10^3, MB = 10^6, GB = 10^9 and
// TB = 10^12 bytes, written "kB", "MB", "GB", "TB": the same MB as the recipe's budgets (`size_mb`,
// `peak_memory_mb`). Binary units (KiB, MiB) are not used anywhere.

export const BYTES_PER_KB = 1e3;
export const BYTES_PER_MB = 1e6;
export const BYTES_PER_GB = 1e9;
export const BYTES_PER_TB = 1e12;

const BYTE_UNITS: readonly [string, number][] = [
  ["kB", BYTES_PER_KB],
  ["MB", BYTES_PER_MB],
  ["GB", BYTES_PER_GB],
  ["TB", BYTES_PER_TB],
];

/**
 * About `significant` digits (default 4), in fixed notation: 1234 → "1234", 123.45 → "123.5", 4.2006 → "4.201",
 * 0.25 → "0.250" (values below 1 keep significant − 1 decimals), and tiny values keep their significant digits
 * (0.0000123 → "0.00001230") rather than rounding to zero.
 */
export function formatNumber(x: number, significant = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && abs < 10 ** -(significant - 1)) return x.toPrecision(significant);
  const integerDigits = abs >= 1 ? Math.floor(Math.log10(abs)) + 1 : 1;
  return x.toFixed(Math.max(0, significant - integerDigits));
}

/** A count with thousands separators: 2690312 → "2,690,312". */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * Bytes in decimal SI units (see the convention above): "999 B", "1.00 kB", "579.0 kB", "1.50 MB", "12.3 MB",
 * "2.00 GB". Two decimals below 10 of a unit, one above; the next unit once a value would round to 1000.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const sign = bytes < 0 ? "-" : "";
  const abs = Math.abs(bytes);
  if (Math.round(abs) < BYTES_PER_KB) return `${sign}${Math.round(abs)} B`;
  for (let i = 0; i < BYTE_UNITS.length; i++) {
    const [unit, size] = BYTE_UNITS[i];
    const value = abs / size;
    let text = value.toFixed(2);
    if (Number(text) >= 10) text = value.toFixed(1);
    if (Number(text) < 1000 || i === BYTE_UNITS.length - 1) return `${sign}${text} ${unit}`;
  }
  return `${sign}${abs} B`; // not reached
}

/** Milliseconds as measured: "4.201 ms", "123.5 ms". */
export function formatMs(ms: number): string {
  return `${formatNumber(ms)} ms`;
}

/** Microseconds (kernel times of a profile): "12.50 µs". */
export function formatUs(us: number): string {
  return `${formatNumber(us)} µs`;
}

/** A duration for a progress line, short: "12 ms", "1.2 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Seconds from milliseconds, as report.md writes run times: 12345 → "12.35 s". */
export function formatSeconds(ms: number): string {
  return `${formatNumber(ms / 1000)} s`;
}

export interface PercentOptions {
  /** Decimals; default 1. */
  digits?: number;
  /** Always show the sign: "+12.3%", "−4.0%" (a true minus), "±0.0%". */
  signed?: boolean;
}

/** A fraction as a percentage: 0.1234 → "12.3%". For a value already in percent, pass value / 100. */
export function formatPercent(fraction: number, options: PercentOptions = {}): string {
  if (!Number.isFinite(fraction)) return `${fraction}%`;
  const text = Math.abs(fraction * 100).toFixed(options.digits ?? 1);
  const zero = Number(text) === 0;
  if (!options.signed) return `${fraction < 0 && !zero ? "-" : ""}${text}%`;
  return `${zero ? "±" : fraction > 0 ? "+" : "−"}${text}%`;
}

/** A ratio (sizes, speed-ups): 0.25 → "0.250×". */
export function formatRatio(ratio: number): string {
  return `${formatNumber(ratio)}×`;
}
