// Per-node quantization findings of the newest run of a recipe, for diagnostics on the recipe.
//
// The file is `quant-error.json` in a run folder (`.edge/runs/<YYYYMMDD-HHMMSS>-<recipe>-<device>/`), written by
// the quantize step (issue 4). Its format:
//
//   { "nodes": [ { "node": "/lm_head/MatMul", "op_type": "MatMul", "sqnr_db": 12.5 }, … ] }
//
// - `node` (string, required): the node's name in the float model.
// - `op_type` (string, optional): its op type.
// - `sqnr_db` (number, required): signal-to-quantization-noise ratio of the node's output in dB, quantized
//   against float, over the calibration samples; lower is worse. Entries without a finite number are skipped.
//
// The runs folder is the nearest `.edge/runs` from the recipe's folder upwards (the workspace's, where the CLI
// writes it when run from the workspace root).
import { promises as fs } from "node:fs";
import { dirname, join } from "node:path";
import { sanitizeName } from "../../engine/report";
import { readRegularTextFile } from "../../engine/fs";
import type { QuantNodeFinding } from "./world-host";

/** How many folders up from the recipe to look for `.edge/runs`. */
const MAX_LEVELS_UP = 6;
/** A quant-error.json bigger than this is not read (one entry per node: a few MB for the largest models). */
const MAX_FINDINGS_BYTES = 64 * 1024 * 1024;

/** The findings in a quant-error.json text; [] when it is not in the format above. */
export function parseQuantErrorJson(text: string): QuantNodeFinding[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const nodes = (data as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return [];
  const findings: QuantNodeFinding[] = [];
  for (const entry of nodes as Record<string, unknown>[]) {
    if (
      !entry ||
      typeof entry.node !== "string" ||
      typeof entry.sqnr_db !== "number" ||
      !Number.isFinite(entry.sqnr_db)
    )
      continue;
    findings.push({
      node: entry.node,
      sqnrDb: entry.sqnr_db,
      ...(typeof entry.op_type === "string" ? { opType: entry.op_type } : {}),
    });
  }
  return findings;
}

async function findRunsFolder(recipePath: string): Promise<string | undefined> {
  let folder = dirname(recipePath);
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    const runs = join(folder, ".edge", "runs");
    const stat = await fs.stat(runs).catch(() => undefined);
    if (stat?.isDirectory()) return runs;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

/**
 * The findings of the newest run that wrote a quant-error.json; with `recipeName`, only runs of that recipe
 * (run folders are named `<timestamp>-<recipe>-<device>`, and the timestamp sorts them).
 */
export async function readQuantFindings(recipePath: string, recipeName?: string): Promise<QuantNodeFinding[]> {
  const runs = await findRunsFolder(recipePath);
  if (!runs) return [];
  let names: string[];
  try {
    names = await fs.readdir(runs);
  } catch {
    return [];
  }
  const prefix = recipeName === undefined ? undefined : `${sanitizeName(recipeName)}-`;
  const candidates = names
    .filter((n) => /^\d{8}-\d{6}-/.test(n) && (prefix === undefined || n.slice(16).startsWith(prefix)))
    .sort()
    .reverse();
  for (const name of candidates) {
    // A run's file, but in the workspace: only a regular file, within the limit; anything else is skipped.
    const text = await readRegularTextFile(join(runs, name, "quant-error.json"), {
      code: "data/invalid",
      maxBytes: MAX_FINDINGS_BYTES,
    }).catch(() => undefined);
    if (text !== undefined) return parseQuantErrorJson(text);
  }
  return [];
}
