// What to run and how: the plain input of a runner. The CLI builds a RunPlan from a loaded recipe; tests and
// benchmarks build one directly. No recipe types here on purpose (the runner does not know about YAML).
import type { Dtype, Sample } from "../data/typed-tensor";
import type { ProfileWindows } from "./profile-windows";

/** How to make one model input when no dataset gives it. */
export interface InputSpec {
  /** Dims: a size, or a symbolic name looked up in `RunPlan.dims` (1 with a warning when unbound). */
  shape?: (number | string)[];
  /** Must match the model's element type when given (a mismatch is a `run/input` error). */
  dtype?: Dtype;
  /** How to make the values when no `value` is given; default "uniform". Random fills use the plan's seed. */
  fill?: Fill;
  /** Bounds of `fill: uniform`, inclusive: floats default [0, 1], integers default [0, 10]. */
  range?: [number, number];
  /** Mean and standard deviation of `fill: normal` (defaults 0 and 1; rounded for integer types). */
  mean?: number;
  std?: number;
  /** A constant: a scalar fills every element; (nested) arrays give every element in C order. */
  value?: TensorValue;
}

export type Fill = "uniform" | "normal" | "zeros" | "ones";
export type TensorValue = number | boolean | TensorValue[];

export type Optimization = "disabled" | "basic" | "extended" | "all";
export type ExecutionMode = "sequential" | "parallel";

export interface SessionPlan {
  /** Threads inside one operator; absent or 0 = onnxruntime's default (one per physical core). */
  intraOpThreads?: number;
  /** Threads across operators (only used with executionMode "parallel"); absent or 0 = onnxruntime's default. */
  interOpThreads?: number;
  /** Graph optimization level; default "all". */
  optimization?: Optimization;
  /** Default "sequential". */
  executionMode?: ExecutionMode;
  /** onnxruntime's memory pattern optimization (enableMemPattern); absent = onnxruntime's default (on). */
  memoryPattern?: boolean;
  /** onnxruntime's CPU memory arena (enableCpuMemArena); absent = onnxruntime's default (on). */
  cpuArena?: boolean;
}

export interface RunPlan {
  /** The .onnx file (external data files are found next to it, as onnxruntime does). */
  modelPath: string;
  /** Per model input name; inputs not listed get shapes from the model's signature. */
  inputs?: Record<string, InputSpec>;
  /** Bindings for symbolic dims, by name (e.g. { batch: 1, sequence: 64 }). */
  dims?: Record<string, number>;
  session?: SessionPlan;
  /** Unmeasured iterations before the measured ones; default 0. */
  warmup?: number;
  /** Measured iterations; default 10. */
  iterations?: number;
  /** Record an onnxruntime profile to outDir/profile.json; default false. */
  profile?: boolean;
  /** Where artifacts go (profile.json); created when missing. */
  outDir: string;
  /** Seed of the synthetic data; default 0. The same seed gives the same bytes. */
  seed?: number;
  /** Dataset feeds: iteration i (warm-up included) uses samples[i % length]; inputs a sample lacks are synthetic. */
  samples?: Sample[];
  /**
   * Most `kernel` events a profiled run streams (live-profile.ts); profiling stops at the window that reaches it (that
   * window stays whole in profile.json); default 100,000.
   */
  maxKernelEvents?: number;
  /** Which measured iterations are profiled: fixed windows or "all" (profile-windows.ts); default adaptive. */
  profileWindows?: ProfileWindows;
  /** For messages (`device` in errors); default "local". */
  deviceName?: string;
  /**
   * A generation benchmark instead of the iterations (generate.ts): `warmup`, `iterations`, `samples`, `inputs` and
   * `profile` do not apply. Language models with a KV cache only.
   */
  generate?: GeneratePlan;
}

/** What to generate: per prompt length, a prefill and `newTokens` greedy decode steps with the growing cache. */
export interface GeneratePlan {
  /** Prompt lengths in tokens, one generation each, in order. */
  promptTokens: number[];
  /** Decode steps after each prefill. */
  newTokens: number;
  /** The prompts' token ids, one per promptTokens entry (each that long), e.g. from a text dataset; else random. */
  prompts?: number[][];
  /** Inclusive range of random prompt ids (seeded by the plan's seed); default [0, vocab - 1] from the logits' dim. */
  tokenRange?: [number, number];
  /** Skip the untimed warm-up generation (default: one, with the first prompt and a few decode steps). */
  noWarmup?: boolean;
  /**
   * Where the loop runs: true, in a thread of its own with its own session (generate-thread.ts); false, on the run's
   * thread; default, in its own thread when the cache is large (wantsGenerateThread).
   */
  ownThread?: boolean;
  /** Mark the token events as the original model's, generating for comparison. */
  reference?: boolean;
}

export const planDefaults = {
  warmup: 0,
  iterations: 10,
  seed: 0,
  maxKernelEvents: 100_000,
  optimization: "all" as Optimization,
  executionMode: "sequential" as ExecutionMode,
};
