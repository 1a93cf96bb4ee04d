// onnxruntime-node, loaded on first use (a native addon of ~20 MB: commands that do not run models never pay for it).
import type * as OrtModule from "onnxruntime-node";
import type { InferenceSession } from "onnxruntime-node";
import type { SessionPlan } from "./plan";
import { planDefaults } from "./plan";

export type Ort = typeof OrtModule;
export type OrtSession = InferenceSession;
export type OrtSessionOptions = InferenceSession.SessionOptions;

let loading: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  loading ??= import("onnxruntime-node").then((m) =>
    (m as { default?: Ort }).default?.InferenceSession ? (m as { default: Ort }).default : m,
  );
  return loading;
}

export function ortVersion(ort: Ort): string {
  const versions = ort.env.versions as Record<string, string | undefined>;
  return versions.node ?? versions.common ?? "unknown";
}

/**
 * The onnxruntime session options for a plan. The benchmark's bare loop uses this too, so both sides run with
 * identical options. `profilePrefix` turns profiling on (onnxruntime appends "_<timestamp>.json").
 */
export function ortSessionOptions(session: SessionPlan = {}, profilePrefix?: string): OrtSessionOptions {
  const options: OrtSessionOptions = {
    executionProviders: ["cpu"],
    graphOptimizationLevel: session.optimization ?? planDefaults.optimization,
    executionMode: session.executionMode ?? planDefaults.executionMode,
    // errors only: onnxruntime's warnings (unused initializers, …) are about the model's export, not the run
    logSeverityLevel: 3,
  };
  if (session.intraOpThreads) options.intraOpNumThreads = session.intraOpThreads;
  if (session.interOpThreads) options.interOpNumThreads = session.interOpThreads;
  if (session.memoryPattern !== undefined) options.enableMemPattern = session.memoryPattern;
  if (session.cpuArena !== undefined) options.enableCpuMemArena = session.cpuArena;
  if (profilePrefix !== undefined) {
    options.enableProfiling = true;
    options.profileFilePrefix = profilePrefix;
  }
  return options;
}
