// The local runner: onnxruntime-node in this process. Reads the model (size, signature), makes the feeds, creates
// a session (timed), warms up, runs the measured iterations (each timed around session.run only), samples RSS,
// and, when profiling, streams the kernels of profiled windows of iterations as they complete (live-profile.ts:
// they are replayed on profiled sessions of their own, so every measured timing stays faithful) and writes
// profile.json at the end. Abortable between iterations: an aborted run returns what it measured. With
// `plan.generate`, a generation benchmark (generate.ts) takes the place of the warm-up and the iterations, on the
// same session with the same options.
//
// A stop (the signal) during the iterations keeps the profile of the windows streamed so far (profile.json holds
// exactly the kernels streamed); the window in progress is dropped.
//
// Errors: problems found before anything is measured (model missing or invalid, bad inputs, a session onnxruntime
// cannot create) are thrown as EdgeError. A failure during the iterations or the profile is returned in the
// result (status "failed", with an `error` event emitted here) so the caller can still report what was measured.
import { EdgeError, isEdgeError } from "../errors";
import { type EventSink, type StepName, nullSink } from "../events";
import { step } from "../step";
import type { Sample } from "../data/typed-tensor";
import { type FeedSet, resolveFeeds } from "./feeds";
import { type GenerateIo, generateIo } from "./generate-io";
import type { ModelSignature } from "../onnx/signature";
import { runGenerations } from "./generate";
import { GenerateThread, generateThreadLocation, wantsGenerateThread } from "./generate-thread";
import type { GenerationResult } from "../../common/generation";
import { hostInfo } from "./host-info";
import { readModelFiles } from "./model-files";
import { type Ort, type OrtSession, loadOrt, ortSessionOptions, ortVersion } from "./ort";
import { type RunPlan, planDefaults } from "./plan";
import { LiveProfile } from "./live-profile";
import type { RunProfile } from "./profile-capture";
import type { RunErrorInfo, RunResult, RunStatus } from "./result";
import { latencyStats, throughput } from "./stats";

const PROGRESS_INTERVAL_MS = 100;

function count(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0)
    throw new EdgeError("run/input", `${name} must be a non-negative integer, got ${n}`);
  return n;
}

function toOrtFeeds(ort: Ort, sample: Sample): Record<string, InstanceType<Ort["Tensor"]>> {
  const feeds: Record<string, InstanceType<Ort["Tensor"]>> = {};
  for (const [name, t] of Object.entries(sample)) feeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
  return feeds;
}

function errorInfo(e: unknown, fallback: string, where: RunErrorInfo["where"]): RunErrorInfo {
  if (isEdgeError(e)) return e.toJSON();
  return { code: "run/failed", message: `${fallback}: ${(e as Error)?.message ?? String(e)}`, where };
}

export async function runLocal(plan: RunPlan, sink: EventSink = nullSink, signal?: AbortSignal): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const deviceName = plan.deviceName ?? "local";
  const where = { file: plan.modelPath, device: deviceName };
  const warmup = count(plan.warmup, planDefaults.warmup, "warmup");
  const iterations = count(plan.iterations, planDefaults.iterations, "iterations");
  const maxKernelEvents = count(plan.maxKernelEvents, planDefaults.maxKernelEvents, "maxKernelEvents");
  const windows = plan.profileWindows;
  if (
    windows &&
    windows !== "all" &&
    !(Number.isInteger(windows.iterations) && windows.iterations >= 1 && windows.every >= windows.iterations)
  )
    throw new EdgeError("run/input", `profileWindows needs 1 ≤ iterations ≤ every, got ${JSON.stringify(windows)}`);

  const { modelFiles, feedSet, io, ort } = await step(
    sink,
    "load",
    async () => {
      const modelFiles = await readModelFiles(plan.modelPath, deviceName);
      // A generation makes its own feeds (generate-io.ts); a model it cannot feed stops the run here.
      const io = plan.generate ? generateIo(modelFiles.signature, plan.modelPath, plan.dims) : undefined;
      const feedSet = io ? generateFeedSet(io, plan) : resolveFeeds(modelFiles.signature, plan, sink);
      return { modelFiles, feedSet, io, ort: await loadOrt() };
    },
    { detail: plan.modelPath },
  );

  const sessionOptions = {
    ...plan.session,
    optimization: plan.session?.optimization ?? planDefaults.optimization,
    executionMode: plan.session?.executionMode ?? planDefaults.executionMode,
  };
  const latenciesMs: number[] = [];
  const warmupMs: number[] = [];
  let status: RunStatus = "ok";
  let error: RunErrorInfo | undefined;
  let creationMs = 0;
  let wallClockMs = 0;
  let profile: RunProfile | undefined;
  let generation: GenerationResult | undefined;
  const rssBeforeBytes = process.memoryUsage.rss();
  let peakRssBytes = rssBeforeBytes;
  const sampleRss = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRssBytes) peakRssBytes = rss;
  };

  let session: OrtSession | undefined;
  let thread: GenerateThread | undefined;
  let live: LiveProfile | undefined;
  try {
    if (signal?.aborted) {
      status = "aborted";
    } else {
      const feeds = feedSet.samples.map((s) => toOrtFeeds(ort, s));
      // A generation makes its session in a thread of its own (generate-thread.ts) when the engine has one.
      const threadAt =
        io && plan.generate && wantsGenerateThread(io, plan.generate) ? generateThreadLocation() : undefined;
      const created = await step(
        sink,
        "session",
        async () => {
          const tSession = performance.now();
          let s: OrtSession;
          if (io && plan.generate && threadAt) {
            const started = await GenerateThread.start(
              {
                modelPath: plan.modelPath,
                ortOptions: ortSessionOptions(sessionOptions),
                io,
                plan: plan.generate,
                seed: plan.seed ?? planDefaults.seed,
                vocabSize: vocabSizeOf(modelFiles.signature, io),
              },
              threadAt,
            );
            thread = started.thread;
            creationMs = started.creationMs;
            return undefined;
          }
          try {
            s = await ort.InferenceSession.create(plan.modelPath, ortSessionOptions(sessionOptions));
            creationMs = performance.now() - tSession;
            session = s;
            // Profiled windows run on sessions of their own (live-profile.ts); the first is made here, untimed.
            if (plan.profile && !plan.generate)
              live = await LiveProfile.open({
                ort,
                modelPath: plan.modelPath,
                sessionOptions: (prefix) => ortSessionOptions(sessionOptions, prefix),
                outDir: plan.outDir,
                sink,
                maxKernelEvents,
                warmRuns: warmup > 0 ? 1 : 0,
                warmFeed: feeds[0],
                windows: plan.profileWindows,
              });
            return s;
          } catch (e) {
            throw new EdgeError(
              "run/failed",
              `onnxruntime could not create a session for ${plan.modelPath}: ${(e as Error).message}`,
              { where, cause: e },
            );
          }
        },
        { detail: threadAt ? `${plan.modelPath} (in the generation's own thread)` : plan.modelPath },
      );
      sampleRss();

      let lastProgress = 0;
      const progress = (name: StepName, done: number, total: number) => {
        const now = performance.now();
        if (done === total || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          sink.emit({ type: "progress", step: name, done, total });
        }
      };
      // A step stopped by the signal ends with ok: false without failing the run.
      const notAborted = () => !signal?.aborted;
      let phase: StepName = "warmup";
      try {
        if (io && plan.generate) {
          phase = "run";
          generation = { warmup: null, runs: [] };
          if (thread) {
            const peak = await thread.generate(sink, generation, signal);
            if (peak > peakRssBytes) peakRssBytes = peak;
          } else
            await runGenerations(
              {
                ort,
                session: created!,
                io,
                plan: plan.generate,
                seed: plan.seed ?? planDefaults.seed,
                vocabSize: vocabSizeOf(modelFiles.signature, io),
                sink,
                signal,
                sampleRss: () => {
                  const rss = process.memoryUsage.rss();
                  if (rss > peakRssBytes) peakRssBytes = rss;
                  return rss;
                },
                modelPath: plan.modelPath,
              },
              generation,
            );
        }
        if (warmup > 0 && !plan.generate) {
          await step(
            sink,
            "warmup",
            async () => {
              for (let i = 0; i < warmup && !signal?.aborted; i++) {
                const feed = feeds[i % feeds.length];
                const t = performance.now();
                await created!.run(feed);
                const ms = performance.now() - t;
                warmupMs.push(ms);
                sink.emit({ type: "iteration", index: i, warmup: true, latencyMs: ms });
                sampleRss();
                progress("warmup", i + 1, warmup);
              }
            },
            { detail: `${warmup} iterations`, succeeded: notAborted },
          );
        }
        phase = "run";
        if (!signal?.aborted && !plan.generate) {
          await step(
            sink,
            "run",
            async () => {
              const loopStart = performance.now();
              for (let i = 0; i < iterations && !signal?.aborted; i++) {
                const feed = feeds[(warmup + i) % feeds.length];
                const t = performance.now();
                await created!.run(feed);
                const ms = performance.now() - t;
                latenciesMs.push(ms);
                sink.emit({ type: "iteration", index: i, warmup: false, latencyMs: ms });
                // Not after a stop: the window in progress is dropped (its kernels were not streamed).
                if (live && !signal?.aborted) {
                  const measuredMs = performance.now() - loopStart - live.spentMs;
                  await live.afterIteration(i, feed, measuredMs, i === iterations - 1);
                }
                sampleRss();
                progress("run", i + 1, iterations);
              }
              // The profiled windows' replays are not the run's: left out of its wall clock (throughput).
              wallClockMs = performance.now() - loopStart - (live?.spentMs ?? 0);
            },
            { detail: `${iterations} iterations`, succeeded: notAborted },
          );
        }
        if (signal?.aborted) {
          status = "aborted";
          sink.emit({
            type: "log",
            level: "warning",
            message: generation
              ? `run aborted after ${generation.runs.length} of ${plan.generate?.promptTokens.length} generations`
              : `run aborted after ${warmupMs.length} warm-up and ${latenciesMs.length} measured iterations`,
          });
        }
      } catch (e) {
        // step() has ended the failed step (ok: false); the run reports what it measured.
        status = "failed";
        error = errorInfo(
          e,
          generation
            ? `generation failed after ${generation.runs.length} of ${plan.generate?.promptTokens.length} prompt lengths`
            : `inference failed at ${phase === "run" ? "measured" : "warm-up"} iteration ${phase === "run" ? latenciesMs.length : warmupMs.length}`,
          where,
        );
        sink.emit({ type: "error", ...error });
      }

      if (live) {
        const l = live;
        live = undefined;
        // A stop keeps the windows streamed so far (the one in progress is dropped: its kernels were not streamed).
        try {
          profile = await step(sink, "profile", () => l.finish(signal?.aborted === true));
        } catch (e) {
          if (status !== "failed") {
            status = "failed";
            error = errorInfo(e, "could not write the profile", where);
            sink.emit({ type: "error", ...error });
          }
        }
      }
      // A stop that came after the last check (the profile's last stage) still makes the run "aborted".
      if (status === "ok" && signal?.aborted) status = "aborted";
    }
  } finally {
    if (live) await live.discard();
    if (session) await session.release();
    if (thread) await thread.close();
  }
  sampleRss();

  const stats = latencyStats(latenciesMs);
  const endedAt = new Date();
  return {
    status,
    error,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: performance.now() - t0,
    device: { name: deviceName, kind: "local", host: hostInfo(ortVersion(ort)) },
    model: {
      path: plan.modelPath,
      sizeBytes: modelFiles.sizeBytes,
      files: modelFiles.files,
      inputs: feedSet.inputs,
      outputs: modelFiles.signature.outputs.map((o) => o.name),
    },
    session: { options: sessionOptions, ortOptions: { ...ortSessionOptions(sessionOptions) }, creationMs },
    warmup: { requested: plan.generate ? 0 : warmup, done: warmupMs.length, latenciesMs: warmupMs },
    iterations: { requested: plan.generate ? 0 : iterations, done: latenciesMs.length },
    latenciesMs,
    stats,
    throughput: throughput(stats, latenciesMs.length, wallClockMs),
    memory: { rssBeforeBytes, peakRssBytes, osMaxRssBytes: process.resourceUsage().maxRSS * 1024 },
    profile: { enabled: plan.profile === true, ...profile },
    datasetSamples: plan.samples?.length ?? 0,
    seed: plan.seed ?? planDefaults.seed,
    ...(generation ? { generation } : {}),
  };
}

/** What a generation feeds, for the report: the first prompt's ids and mask, and an empty cache. */
/** The logits' vocabulary size when the model declares it. */
function vocabSizeOf(signature: ModelSignature, io: GenerateIo): number | undefined {
  const logits = signature.outputs.find((o) => o.name === io.logits)?.dims;
  const vocab = logits?.[logits.length - 1];
  return typeof vocab === "number" ? vocab : undefined;
}

function generateFeedSet(io: GenerateIo, plan: RunPlan): FeedSet {
  const n = plan.generate?.promptTokens[0] ?? 1;
  const source = plan.generate?.prompts ? "dataset" : "synthetic";
  const inputs: FeedSet["inputs"] = [{ name: io.inputIds.name, dtype: io.inputIds.dtype, shape: [1, n], source }];
  if (io.mask) inputs.push({ name: io.mask.name, dtype: io.mask.dtype, shape: [1, n], source: "synthetic" });
  if (io.positionIds)
    inputs.push({ name: io.positionIds.name, dtype: io.positionIds.dtype, shape: [1, n], source: "synthetic" });
  for (const c of io.cache) inputs.push({ name: c.input, dtype: c.dtype, shape: c.emptyShape, source: "synthetic" });
  return { inputs, samples: [] };
}
