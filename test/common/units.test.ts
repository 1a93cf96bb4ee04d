// The product's one set of formatters (common/units.ts) and its unit convention: decimal SI bytes, kB = 10^3,
// MB = 10^6, GB = 10^9, as the recipe's budgets count them; and no other byte formatter anywhere in the product.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";
import {
  BYTES_PER_GB,
  BYTES_PER_KB,
  BYTES_PER_MB,
  formatBytes,
  formatCount,
  formatDuration,
  formatMs,
  formatNumber,
  formatPercent,
  formatRatio,
  formatSeconds,
  formatUs,
} from "../../common/units";

void test("bytes: decimal SI units kB, MB, GB (10^3, 10^6, 10^9), as size_mb and peak_memory_mb count them", () => {
  assert.deepEqual([BYTES_PER_KB, BYTES_PER_MB, BYTES_PER_GB], [1000, 1_000_000, 1_000_000_000]);
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1000), "1.00 kB");
  assert.equal(formatBytes(1024), "1.02 kB", "1024 bytes are not 1 kB");
  assert.equal(formatBytes(1500), "1.50 kB");
  assert.equal(formatBytes(578_966), "579.0 kB");
  assert.equal(formatBytes(999_999), "1.00 MB", "a value that would round to 1000 kB moves to the next unit");
  assert.equal(formatBytes(1_000_000), "1.00 MB");
  assert.equal(formatBytes(1_500_000), "1.50 MB");
  assert.equal(formatBytes(1_048_576), "1.05 MB", "a MiB is not a MB");
  assert.equal(formatBytes(12_345_678), "12.3 MB");
  assert.equal(formatBytes(124_448_768), "124.4 MB");
  assert.equal(formatBytes(2_000_000_000), "2.00 GB");
  assert.equal(formatBytes(2 ** 31), "2.15 GB");
  assert.equal(formatBytes(3.2e12), "3.20 TB");
  assert.equal(formatBytes(-1500), "-1.50 kB");
});

void test("numbers: about 4 significant digits in fixed notation; tiny values keep their digits", () => {
  assert.equal(formatNumber(1234.5), "1235");
  assert.equal(formatNumber(123.45), "123.5");
  assert.equal(formatNumber(12.345), "12.35");
  assert.equal(formatNumber(4.2006), "4.201");
  assert.equal(formatNumber(0.25), "0.250");
  assert.equal(formatNumber(0), "0.000");
  assert.equal(formatNumber(0.0000123), "0.00001230");
  assert.equal(formatNumber(-48), "-48.00");
  assert.equal(formatNumber(Infinity), "Infinity");
  assert.equal(formatNumber(2.5, 3), "2.50");
  assert.equal(formatNumber(10, 3), "10.0");
  assert.equal(formatNumber(123.4, 3), "123");
  assert.equal(formatCount(2_690_312), "2,690,312");
});

void test("durations, percentages and ratios", () => {
  assert.equal(formatMs(4.2006), "4.201 ms");
  assert.equal(formatUs(12.5), "12.50 µs");
  assert.equal(formatSeconds(12_345), "12.35 s");
  assert.equal(formatDuration(12.4), "12 ms");
  assert.equal(formatDuration(1234), "1.2 s");
  assert.equal(formatDuration(125_000), "2 min 5 s");
  assert.equal(formatPercent(0.1234), "12.3%");
  assert.equal(formatPercent(1), "100.0%");
  assert.equal(formatPercent(0.123456, { digits: 2 }), "12.35%");
  assert.equal(formatPercent(0.25, { signed: true }), "+25.0%");
  assert.equal(formatPercent(-0.25, { signed: true }), "−25.0%");
  assert.equal(formatPercent(-0.00001, { signed: true }), "±0.0%", "no sign on what rounds to zero");
  assert.equal(formatRatio(0.25), "0.250×");
  assert.equal(formatRatio(3.9), "3.900×");
});

/** Every TypeScript source of the product's runtime folders (tests and scripts aside). */
function sources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) out.push(path);
    }
  };
  for (const folder of ["engine", "language-server", "extension", "webviews"]) walk(join(root, folder));
  return out;
}

void test("one byte formatter: no other formatBytes, and no binary (1024, KiB/MiB/GiB) byte formatting outside common/units.ts", () => {
  const root = resolve(import.meta.dirname, "..", "..");
  const problems: string[] = [];
  for (const file of sources(root)) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const where = `${relative(root, file)}:${i + 1}`;
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, ""); // comments may say what a KiB is
      if (/function\s+(formatBytes|formatMb|megabytes|formatSize)\b|const\s+(mb|formatBytes)\s*=/.test(code))
        problems.push(`${where}: a byte formatter of its own`);
      if (/\b(KiB|MiB|GiB|TiB)\b/.test(code)) problems.push(`${where}: a binary unit`);
      if (/\/\s*(1024|1e6|1_000_000|1e3)\b.*\b(kB|KB|MB|GB)\b/.test(code))
        problems.push(`${where}: bytes divided by hand for display`);
    });
  }
  assert.deepEqual(problems, []);
});
