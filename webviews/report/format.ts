// Number formatting for the report (pure: unit-testable without a browser).

/** Up to 4 significant digits, as the engine's report.md writes them. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toFixed(0);
  if (abs >= 100) return x.toFixed(1);
  if (abs >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : `${formatNumber(ms)} ms`;
}

/** Megabytes of 10^6 bytes, as the budgets count them. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1_000_000) return `${formatNumber(bytes / 1000)} kB`;
  return `${formatNumber(bytes / 1_000_000)} MB`;
}

export function formatRate(ips: number | null | undefined): string {
  return ips === null || ips === undefined ? "—" : `${formatNumber(ips)} /s`;
}

/** "+12.3 %" / "−4.0 %" of b against a; "—" when either is missing or a is 0. */
export function formatDelta(a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || a === 0) return "—";
  const pct = ((b - a) / Math.abs(a)) * 100;
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "±";
  return `${sign}${Math.abs(pct).toFixed(1)} %`;
}

/** For a lower-is-better metric: "better" when b is lower than a by more than 1 %, "worse" when higher. */
export function deltaClass(a: number | null | undefined, b: number | null | undefined, lowerIsBetter = true): "better" | "worse" | "same" {
  if (a === null || a === undefined || b === null || b === undefined || a === 0) return "same";
  const rel = (b - a) / Math.abs(a);
  if (Math.abs(rel) < 0.01) return "same";
  return rel < 0 === lowerIsBetter ? "better" : "worse";
}
