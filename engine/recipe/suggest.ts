// "Did you mean …?": the closest of the known names to a misspelt one, by edit distance.

/** Levenshtein distance with adjacent transpositions counted as one edit (so "qunatize" is 1 from "quantize"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name closest to `name`, when it is close enough to be a likely typo (at most a third of its
 * letters changed, case ignored), or when one name contains the other ("latency_p95" → "latency_p95_ms").
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    if (c === wanted) return candidate;
    let score = editDistance(wanted, c);
    const limit = Math.max(1, Math.floor(Math.max(wanted.length, c.length) / 3));
    // A typo keeps most letters ("y" is no typo of "x"); a prefix or part also counts ("int4" → "int4-weight-only").
    const typo = score <= limit && score < Math.max(wanted.length, c.length);
    if (!typo) {
      if (wanted.length >= 3 && (c.includes(wanted) || wanted.includes(c))) score = limit + 1;
      else continue;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** "; did you mean `x`?" to append to a message, or "" when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const match = closestName(name, known);
  return match === undefined ? "" : `; did you mean \`${match}\`?`;
}

/** "`a`, `b` or `c`". */
export function listNames(names: readonly (string | number)[], conjunction = "or"): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted[quoted.length - 1]}`;
}
