// The report view's formatting: common/units.ts's formatters (the product's units: kB/MB of 10^3/10^6 bytes), a
// dash for a value the report lacks, and the deltas of compare mode. Pure: unit-testable without a browser.
import { formatBytes, formatMs, formatNumber, formatPercent } from "../../common/units";

const missing = (x: number | null | undefined): x is null | undefined => x === null || x === undefined;

/** "4.201 ms", or "—" when the report has no such value. */
export function msOrDash(value: number | null | undefined): string {
  return missing(value) ? "—" : formatMs(value);
}

/** "579.0 kB", or "—". */
export function bytesOrDash(value: number | null | undefined): string {
  return missing(value) ? "—" : formatBytes(value);
}

/** Inferences per second, or "—". */
export function rateOrDash(ips: number | null | undefined): string {
  return missing(ips) ? "—" : `${formatNumber(ips)} /s`;
}

/** "+12.3%" / "−4.0%" of b against a; "—" when either is missing or a is 0. */
export function formatDelta(a: number | null | undefined, b: number | null | undefined): string {
  if (missing(a) || missing(b) || a === 0) return "—";
  return formatPercent((b - a) / Math.abs(a), { signed: true });
}

/** For a lower-is-better metric: "better" when b is lower than a by more than 1 %, "worse" when higher. */
export function deltaClass(
  a: number | null | undefined,
  b: number | null | undefined,
  lowerIsBetter = true,
): "better" | "worse" | "same" {
  if (missing(a) || missing(b) || a === 0) return "same";
  const rel = (b - a) / Math.abs(a);
  if (Math.abs(rel) < 0.01) return "same";
  return rel < 0 === lowerIsBetter ? "better" : "worse";
}
