// report.md's Generation section: a llama-bench-like table (a `ppN` row per prompt length with its prefill rate and
// time to first token, a `tgM` row with the decode rate and per-step p50/p90), the per-step latency curve as the
// cache grows in a few buckets, the generated tokens' ids, and with an optimized model the original's rows beside
// it and how many of the first greedy tokens both produce.
import { type GenerationRun, type ReportGeneration, generationRowNames, stepCurve } from "../../common/generation";
import { formatBytes, formatMs, formatNumber } from "../../common/units";

/** Tokens listed per generation in report.md (report.json has them all). */
const SHOWN_TOKENS = 16;

function table(head: string[], rows: string[][], align: ("l" | "r")[]): string[] {
  const sep = head.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  return [`| ${head.join(" | ")} |`, `| ${sep.join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

const rate = (v: number | null) => (v === null ? "–" : formatNumber(v));
const ms = (v: number | null) => (v === null ? "–" : formatMs(v));

function benchRows(runs: GenerationRun[], model?: string): string[][] {
  const rows: string[][] = [];
  for (const run of runs) {
    const names = generationRowNames(run);
    const lead = model === undefined ? [] : [model];
    rows.push([...lead, names.prefill, rate(run.prefillTokensPerS), formatMs(run.ttftMs), "", ""]);
    rows.push([
      ...lead,
      `${names.decode} @ pp${run.promptTokens}`,
      rate(run.decode.tokensPerS),
      "",
      ms(run.decode.p50Ms),
      ms(run.decode.p90Ms),
    ]);
  }
  return rows;
}

export function renderGenerationMarkdown(generation: ReportGeneration | undefined): string[] {
  if (!generation) return [];
  const out: string[] = ["## Generation", ""];
  const reference = generation.reference;
  const head = ["test", "tokens/s", "TTFT", "step p50", "step p90"];
  const align: ("l" | "r")[] = ["l", "r", "r", "r", "r"];
  if (reference) {
    out.push(
      ...table(
        ["model", ...head],
        [...benchRows(generation.runs, "this run"), ...benchRows(reference.runs, "original")],
        ["l", ...align],
      ),
      "",
    );
  } else {
    out.push(...table(head, benchRows(generation.runs), align), "");
  }
  const warmup = generation.warmup;
  out.push(
    `\`ppN\`: the prompt of N tokens in one pass (empty cache) and the choice of its next token, whose time is the time to first token (TTFT); \`tgM\`: M greedy decode steps of one token with the growing cache, tokens/s over their wall time. ${warmup ? `One untimed warm-up generation (${warmup.promptTokens} prompt tokens, ${warmup.newTokens} new) ran first.` : "No warm-up generation ran."}${generation.contextLength !== undefined ? ` The model holds ${generation.contextLength} positions.` : ""}`,
    "",
  );

  if (generation.comparison?.length) {
    out.push("### Original model against this run", "");
    const rows = generation.comparison.map((c) => [
      `pp${c.promptTokens}`,
      `${c.matchingTokens} of ${c.comparedTokens}`,
      c.decodeSpeedup === null ? "–" : `${formatNumber(c.decodeSpeedup)}×`,
      c.ttftSpeedup === null ? "–" : `${formatNumber(c.ttftSpeedup)}×`,
    ]);
    out.push(
      ...table(["prompt", "same greedy tokens from the first", "decode speedup", "TTFT speedup"], rows, [
        "l",
        "r",
        "r",
        "r",
      ]),
      "",
    );
  }

  out.push("### Decode step latency as the cache grows", "");
  const curveRows: string[][] = [];
  for (const run of generation.runs) {
    for (const b of stepCurve(run)) {
      curveRows.push([
        `pp${run.promptTokens}`,
        b.firstStep === b.lastStep ? `${b.firstStep + 1}` : `${b.firstStep + 1}–${b.lastStep + 1}`,
        String(b.cacheLength),
        formatMs(b.meanMs),
      ]);
    }
  }
  if (curveRows.length)
    out.push(...table(["prompt", "steps", "cache length", "mean step"], curveRows, ["l", "r", "r", "r"]), "");
  else out.push("No decode steps were measured.", "");

  out.push("### Tokens", "");
  for (const run of generation.runs) {
    const shown = run.tokenIds.slice(0, SHOWN_TOKENS).join(" ");
    const more = run.tokenIds.length > SHOWN_TOKENS ? ` … (${run.tokenIds.length} in report.json)` : "";
    out.push(
      `- pp${run.promptTokens} (${run.promptSource} prompt, peak RSS ${formatBytes(run.peakRssBytes)}): ${shown}${more}`,
    );
  }
  out.push("");
  return out;
}
