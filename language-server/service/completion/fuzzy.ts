// A small fuzzy matcher for names (node names of big models: thousands of `/model/layers.12/self_attn/q_proj/MatMul`):
// the query's characters in order, scored like fzf's v1: a forward scan finds a match, a backward scan tightens it,
// and the score rewards characters at word starts (after `/`, `.`, `_`, `-`, camelCase), runs of consecutive
// characters and exact case, and charges for gaps. Space-separated terms must each match, in any order.

export interface FuzzyMatch<T> {
  item: T;
  score: number;
}

const SCORE_MATCH = 16;
const BONUS_BOUNDARY = 8;
const BONUS_FIRST_BOUNDARY = 8;
const BONUS_CONSECUTIVE = 5;
const BONUS_CASE = 1;
const PENALTY_GAP_START = 3;
const PENALTY_GAP_EXTENSION = 1;
const BONUS_EXACT_NAME = 40;

const isSeparator = (c: string): boolean =>
  c === "/" || c === "." || c === "_" || c === "-" || c === ":" || c === " " || c === "(" || c === "[";

function isBoundary(candidate: string, i: number): boolean {
  if (i === 0) return true;
  const prev = candidate[i - 1];
  if (isSeparator(prev)) return true;
  const c = candidate[i];
  if (c >= "A" && c <= "Z" && prev >= "a" && prev <= "z") return true;
  const digit = c >= "0" && c <= "9";
  const prevDigit = prev >= "0" && prev <= "9";
  return digit !== prevDigit;
}

/** Scores `term` (lower case) over `candidate` from `start` to `end` (inclusive), matching greedily left to right. */
function scoreWindow(
  term: string,
  termRaw: string,
  candidate: string,
  lower: string,
  start: number,
  end: number,
): number {
  let score = 0;
  let j = 0;
  let previous = -2;
  let inGap = false;
  for (let i = start; i <= end && j < term.length; i++) {
    if (lower[i] !== term[j]) {
      if (j > 0) {
        score -= inGap ? PENALTY_GAP_EXTENSION : PENALTY_GAP_START;
        inGap = true;
      }
      continue;
    }
    score += SCORE_MATCH;
    if (isBoundary(candidate, i)) score += j === 0 ? BONUS_BOUNDARY + BONUS_FIRST_BOUNDARY : BONUS_BOUNDARY;
    if (previous === i - 1) score += BONUS_CONSECUTIVE;
    if (candidate[i] === termRaw[j]) score += BONUS_CASE;
    previous = i;
    inGap = false;
    j++;
  }
  return score;
}

function scoreTerm(termRaw: string, term: string, candidate: string, lower: string): number | undefined {
  // Forward: the first end of a match.
  let pos = -1;
  for (let j = 0; j < term.length; j++) {
    pos = lower.indexOf(term[j], pos + 1);
    if (pos < 0) return undefined;
  }
  const end = pos;
  // Backward: the latest start of a match ending there.
  let start = end;
  for (let j = term.length - 1, i = end; j >= 0; i--) {
    if (lower[i] === term[j]) {
      start = i;
      j--;
    }
  }
  let best = scoreWindow(term, termRaw, candidate, lower, start, end);
  // An exact substring elsewhere (preferably at a word start) may score better than the tightest window.
  const at = lower.lastIndexOf(term);
  if (at >= 0) best = Math.max(best, scoreWindow(term, termRaw, candidate, lower, at, at + term.length - 1));
  if (lower === term) best += BONUS_EXACT_NAME;
  return best;
}

/**
 * The score of `query` over `candidate`, higher is better; undefined when it does not match. An empty query
 * matches everything with score 0. `lower` is the candidate in lower case, when the caller keeps it.
 */
export function fuzzyScore(query: string, candidate: string, lower = candidate.toLowerCase()): number | undefined {
  return scoreTerms(splitQuery(query), candidate, lower);
}

interface Term {
  raw: string;
  lower: string;
}

function splitQuery(query: string): Term[] {
  return query
    .split(/\s+/)
    .filter(Boolean)
    .map((raw) => ({ raw, lower: raw.toLowerCase() }));
}

function scoreTerms(terms: Term[], candidate: string, lower: string): number | undefined {
  let total = 0;
  for (const term of terms) {
    const score = scoreTerm(term.raw, term.lower, candidate, lower);
    if (score === undefined) return undefined;
    total += score;
  }
  // Shorter names first among equals: a little less for every character the query did not ask for.
  return terms.length === 0 ? 0 : total - candidate.length * 0.01;
}

/**
 * The best `limit` matches of `query` among `candidates`, best first (ties: in the candidates' order). With an
 * empty query, the first `limit` candidates. `lowers` (same order) saves lower-casing each candidate per call.
 */
export function fuzzyTop(
  query: string,
  candidates: readonly string[],
  limit: number,
  lowers?: readonly string[],
): { matches: FuzzyMatch<number>[]; total: number } {
  if (query.trim() === "") {
    const n = Math.min(limit, candidates.length);
    return { matches: Array.from({ length: n }, (_, i) => ({ item: i, score: 0 })), total: candidates.length };
  }
  // Kept sorted best first; a new match enters only when it beats the worst kept one.
  const terms = splitQuery(query);
  const top: FuzzyMatch<number>[] = [];
  let total = 0;
  for (let i = 0; i < candidates.length; i++) {
    const score = scoreTerms(terms, candidates[i], lowers ? lowers[i] : candidates[i].toLowerCase());
    if (score === undefined) continue;
    total++;
    if (top.length === limit && score <= top[top.length - 1].score) continue;
    let k = top.length;
    while (k > 0 && top[k - 1].score < score) k--;
    top.splice(k, 0, { item: i, score });
    if (top.length > limit) top.pop();
  }
  return { matches: top, total };
}
