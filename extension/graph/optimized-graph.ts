// The exact answer to a kernel's node that the model does not have (a node onnxruntime made when it optimized the
// graph): the model as onnxruntime optimized it for that run, written by the engine (`edge compile MODEL --provider
// cpu --optimization LEVEL --no-fuse -o OUT`) into the run folder, where the node is by the name its kernels have.
// This file decides, without VS Code or the disk: whether a reveal's ref can have that graph, from what the run
// folder holds (report.json and the model its kernels ran, run-folder.ts); the level (the run's
// `session.ortOptions.graphOptimizationLevel`); where the graph goes (`<runDir>/ort-optimized/<model file>`);
// whether the one there is fresh; the CLI's arguments; and what to tell the user. optimized-graph-engine.ts runs
// the CLI, optimized-reveal.ts is the VS Code part.
import { basename, join, resolve } from "node:path";
import type { GraphOptimization } from "../../common/optimization";
import type { RunReport } from "../../common/report";
import { isOrtOptimizedGraph, ORT_OPTIMIZED_FOLDER } from "../../webviews/protocol/graph";
import type { NodeRef } from "../../webviews/protocol/node-links";

/** The notification's button (and the graph webview's). */
export const OPEN_OPTIMIZED_GRAPH = "Open onnxruntime's optimized graph";

/** The levels `edge compile --optimization` takes (onnxruntime's GraphOptimizationLevel names). */
const LEVELS: readonly GraphOptimization[] = ["disabled", "basic", "extended", "all"];
/** onnxruntime's default, and what a run whose report does not say used. */
export const DEFAULT_LEVEL: GraphOptimization = "all";

/** What the run folder holds (read by the caller). */
export interface RunFolderFacts {
  /** The run's report.json (of this schema version), when it has one. */
  report?: RunReport;
  /** The model the run's kernels ran (run-folder.ts `runModelOf`: its produced model, else its original). */
  runModel?: string;
}

export type OptimizedGraphPlan =
  | {
      kind: "optimize";
      node: string;
      runDir: string;
      runId: string;
      /** The model the kernels ran: the engine's input. */
      model: string;
      /** Where onnxruntime's optimized graph goes (and is reused from). */
      out: string;
      level: GraphOptimization;
      /** The arguments after `edge`. */
      args: string[];
      /** Why the graph may still differ from the one the run used (a provider other than the CPU). */
      caveat?: string;
    }
  /** The graph the node was looked for in already is the optimized one: there is nothing more exact to show. */
  | { kind: "optimized-already"; node: string; runDir: string; runId: string; caveat?: string }
  /** Not possible for this ref: why (for the log, or for the user when they asked for it). */
  | { kind: "unavailable"; reason: string };

/** Where onnxruntime's optimized graph of `model` for run `runDir` is written: `<runDir>/ort-optimized/<file>`. */
export function optimizedGraphPath(runDir: string, model: string): string {
  return join(runDir, ORT_OPTIMIZED_FOLDER, basename(model));
}

/** The level the run's session optimized its graph at: what it gave onnxruntime, else its options, else "all". */
export function runOptimizationLevel(report: RunReport | undefined): GraphOptimization {
  const given = report?.session?.ortOptions?.graphOptimizationLevel;
  if (typeof given === "string" && (LEVELS as readonly string[]).includes(given)) return given as GraphOptimization;
  const option = report?.session?.options?.optimization;
  if (typeof option === "string" && LEVELS.includes(option)) return option;
  return DEFAULT_LEVEL;
}

/** `edge compile` for onnxruntime's graph alone (no engine fusions), on the CPU provider. */
export function compileArgs(model: string, out: string, level: GraphOptimization): string[] {
  return ["compile", model, "--provider", "cpu", "--optimization", level, "--no-fuse", "-o", out];
}

/** Providers other than the CPU the run's session was given (their partitions are not in a CPU optimization). */
function otherProviders(report: RunReport | undefined): string[] {
  const providers = report?.session?.ortOptions?.executionProviders;
  if (!Array.isArray(providers)) return [];
  return providers
    .map((p: unknown) =>
      typeof p === "string"
        ? p
        : typeof (p as { name?: unknown })?.name === "string"
          ? (p as { name: string }).name
          : "",
    )
    .filter((p) => p !== "" && p.toLowerCase() !== "cpu");
}

/**
 * What can be done for a node that `ref.model` does not have. `facts` is what the ref's run folder holds (nothing
 * when the ref names no run).
 */
export function planOptimizedGraph(ref: NodeRef, facts: RunFolderFacts): OptimizedGraphPlan {
  const { runDir, node } = ref;
  if (!runDir) return { kind: "unavailable", reason: "the node is not from a run (the reveal names no run folder)" };
  const runId = basename(runDir);
  const others = otherProviders(facts.report);
  const caveat =
    others.length > 0
      ? `run ${runId} also used ${others.join(", ")}, whose nodes a CPU optimization does not make`
      : undefined;
  const noted = caveat ? { caveat } : {};
  if (ref.model && isOrtOptimizedGraph(ref.model, runDir))
    return { kind: "optimized-already", node, runDir, runId, ...noted };
  if (!facts.report) return { kind: "unavailable", reason: `run ${runId} has no report.json` };
  if (!facts.runModel) return { kind: "unavailable", reason: `run ${runId}'s report names no model it ran` };
  const level = runOptimizationLevel(facts.report);
  if (level === "disabled")
    return {
      kind: "unavailable",
      reason: `run ${runId}'s session did not optimize the graph (graphOptimizationLevel "disabled"), so its kernels are the model's nodes`,
    };
  const model = facts.runModel;
  const out = optimizedGraphPath(runDir, model);
  if (resolve(out) === resolve(model))
    return { kind: "unavailable", reason: `run ${runId}'s model is already in its ${ORT_OPTIMIZED_FOLDER} folder` };
  return { kind: "optimize", node, runDir, runId, model, out, level, args: compileArgs(model, out, level), ...noted };
}

/** Modification times of the files (undefined: not there). */
export interface FileTimes {
  outMtimeMs?: number;
  modelMtimeMs?: number;
}

/**
 * The optimized graph written before can be shown again: it exists and is newer than the model (a model that is
 * gone cannot be optimized again, so what was written from it is still the answer).
 */
export function isFresh(times: FileTimes): boolean {
  if (times.outMtimeMs === undefined) return false;
  return times.modelMtimeMs === undefined || times.outMtimeMs > times.modelMtimeMs;
}

/**
 * The CLI's error for people: from its output (stdout and stderr), the `edge compile: …` line and its hint, else
 * the last line written, else how it ended.
 */
export function compileFailureMessage(output: string, exit: { code: number | null; signal: string | null }): string {
  const lines = output.split(/\r?\n/).filter((l) => l.trim() !== "");
  const start = lines.map((l) => l.startsWith("edge compile: ")).lastIndexOf(true);
  if (start >= 0) {
    const said = [lines[start].slice("edge compile: ".length)];
    for (const l of lines.slice(start + 1)) if (/^\s+hint: /.test(l)) said.push(l.trim());
    return said.join(" — ");
  }
  const how = exit.signal ? `was stopped by ${exit.signal}` : `ended with exit ${String(exit.code)}`;
  return lines.length > 0 ? `${lines[lines.length - 1].trim()} (edge compile ${how})` : `edge compile ${how}`;
}

/** What the user is told when the node is not in the optimized graph either. */
export function stillMissingMessage(plan: { node: string; runId: string; caveat?: string }): string {
  return (
    `Node "${plan.node}" is not in onnxruntime's optimized graph of run ${plan.runId} either: onnxruntime made it ` +
    `after optimizing the graph (when it placed the nodes on providers), or the session that ran it had other options` +
    (plan.caveat ? ` (${plan.caveat}).` : ".")
  );
}

/** The progress notification's title. */
export function progressTitle(plan: { model: string; level: GraphOptimization }): string {
  return `Edge: onnxruntime is optimizing ${basename(plan.model)} (level ${plan.level})…`;
}
