// The generation benchmark (`run.generate`) on one onnxruntime session of a decoder with a KV cache: an untimed
// warm-up generation (the longest prompt, a few decode steps), then per prompt length a prefill (input_ids [1, N], an all-ones mask, an empty cache) whose
// last position's argmax is the first token (time to first token), and `newTokens` greedy decode steps, each feeding
// the previous token with the `present.*` outputs passed back as `past_key_values.*` as they are (no copy) and the
// mask one longer. Each step is timed from its feeds to its argmax, and the decode rate is the steps over their wall
// time, so what the loop does besides onnxruntime (events, bookkeeping) counts against it. A `token` event per step,
// a `progress` event at most every 100 ms, RSS sampled every few steps. Stops between steps on the signal.
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { step } from "../step";
import type { GenerationResult, GenerationRun } from "../../common/generation";
import { GenerateFeeds, type GenerateIo, argmaxLast, syntheticPrompt } from "./generate-io";
import { summarizeDecode } from "./generate-stats";
import type { Ort, OrtSession } from "./ort";
import type { GeneratePlan } from "./plan";

type OrtTensor = InstanceType<Ort["Tensor"]>;

const PROGRESS_INTERVAL_MS = 100;
/** Decode steps of the warm-up generation (at most new_tokens). */
const WARMUP_STEPS = 8;
/** RSS is read every this many decode steps (a read costs a few µs), and after each prefill and generation. */
const RSS_EVERY_STEPS = 16;

export interface GenerateContext {
  ort: Ort;
  session: OrtSession;
  io: GenerateIo;
  plan: GeneratePlan;
  seed: number;
  /** The logits' vocabulary size when the model declares it (for random prompts without a tokenRange). */
  vocabSize?: number;
  sink: EventSink;
  signal?: AbortSignal;
  /** Samples RSS and returns it (the caller keeps the run's peak). */
  sampleRss(): number;
  modelPath: string;
}

/** The prompts of a plan: given, or random in the token range. */
export function planPrompts(
  plan: GeneratePlan,
  seed: number,
  vocabSize: number | undefined,
  modelPath: string,
): number[][] {
  if (plan.prompts) {
    if (
      plan.prompts.length !== plan.promptTokens.length ||
      plan.prompts.some((p, i) => p.length !== plan.promptTokens[i])
    )
      throw new EdgeError("run/input", "generate: each prompt must be as long as its promptTokens entry");
    return plan.prompts;
  }
  const range = plan.tokenRange ?? (vocabSize ? ([0, vocabSize - 1] as [number, number]) : undefined);
  if (!range)
    throw new EdgeError(
      "run/input",
      "generate: cannot tell the model's vocabulary (its logits' last dim is not fixed) to make random prompts",
      { file: modelPath },
      "give `model.inputs.input_ids.range`, or prompts from a text dataset (`run.generate.data`)",
    );
  return plan.promptTokens.map((n) => syntheticPrompt(n, range, seed));
}

/** Runs the warm-up and the generations; what was measured so far when it stops or fails (then it throws). */
export async function runGenerations(context: GenerateContext, result: GenerationResult): Promise<void> {
  const { plan, sink, signal } = context;
  const prompts = planPrompts(plan, context.seed, context.vocabSize, context.modelPath);
  const maxLength = Math.max(...plan.promptTokens) + plan.newTokens;
  const feeds = new GenerateFeeds(context.ort, context.io, maxLength);
  if (!plan.noWarmup && prompts.length > 0 && !signal?.aborted) {
    // The longest prompt: onnxruntime's buffers grow to their largest size before anything is timed.
    const longest = prompts.reduce((a, b) => (b.length > a.length ? b : a));
    const steps = Math.min(WARMUP_STEPS, plan.newTokens);
    await step(sink, "warmup", () => generateOne(context, feeds, longest, steps, false), {
      detail: `1 generation: ${longest.length} prompt tokens, ${steps} new tokens, untimed`,
      succeeded: () => !signal?.aborted,
    });
    result.warmup = { promptTokens: longest.length, newTokens: steps };
  }
  if (signal?.aborted) return;
  const total = plan.promptTokens.length * (plan.newTokens + 1);
  const detail = plan.promptTokens.map((n) => `pp${n}`).join(" ") + ` tg${plan.newTokens}`;
  await step(
    sink,
    "run",
    async () => {
      let lastProgress = 0;
      let done = 0;
      const progress = () => {
        done++;
        const now = performance.now();
        if (done === total || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          sink.emit({ type: "progress", step: "run", done, total });
        }
      };
      for (let i = 0; i < prompts.length && !signal?.aborted; i++) {
        const run = await generateOne(context, feeds, prompts[i], plan.newTokens, true, progress);
        run.promptSource = plan.prompts ? "dataset" : "synthetic";
        result.runs.push(run);
      }
    },
    { detail: `${plan.reference ? "original model: " : ""}${detail}`, succeeded: () => !signal?.aborted },
  );
}

/** One generation: prefill then `steps` decode steps; timed and streamed when `measured`. */
async function generateOne(
  context: GenerateContext,
  feeds: GenerateFeeds,
  prompt: number[],
  steps: number,
  measured: boolean,
  progress?: () => void,
): Promise<GenerationRun> {
  const { session, io, sink, signal, plan } = context;
  const promptTokens = prompt.length;
  const reference = plan.reference ? { reference: true } : undefined;
  const tokenIds: number[] = [];
  const stepLatenciesMs: number[] = [];
  let peakRssBytes = context.sampleRss();

  const t0 = performance.now();
  let outputs = (await session.run(feeds.prefill(prompt))) as Record<string, OrtTensor>;
  let token = argmaxLast(outputs[io.logits]);
  const ttftMs = performance.now() - t0;
  tokenIds.push(token);
  let length = promptTokens;
  if (measured) {
    sink.emit({
      type: "token",
      promptTokens,
      newTokens: steps,
      step: 0,
      phase: "prefill",
      cacheLength: length,
      latencyMs: ttftMs,
      tokenId: token,
      ...reference,
    });
    progress?.();
  }
  peakRssBytes = Math.max(peakRssBytes, context.sampleRss());

  const decodeStart = performance.now();
  let stepStart = decodeStart;
  for (let s = 1; s <= steps && !signal?.aborted; s++) {
    outputs = (await session.run(feeds.decode(token, length, outputs))) as Record<string, OrtTensor>;
    token = argmaxLast(outputs[io.logits]);
    const now = performance.now();
    const latencyMs = now - stepStart;
    stepStart = now;
    length++;
    tokenIds.push(token);
    stepLatenciesMs.push(latencyMs);
    if (measured) {
      sink.emit({
        type: "token",
        promptTokens,
        newTokens: steps,
        step: s,
        phase: "decode",
        cacheLength: length,
        latencyMs,
        tokenId: token,
        ...reference,
      });
      progress?.();
    }
    if (s % RSS_EVERY_STEPS === 0) peakRssBytes = Math.max(peakRssBytes, context.sampleRss());
  }
  const decodeMs = stepLatenciesMs.length ? stepStart - decodeStart : 0;
  peakRssBytes = Math.max(peakRssBytes, context.sampleRss());
  return {
    promptTokens,
    newTokens: steps,
    promptSource: "synthetic",
    ttftMs,
    prefillTokensPerS: ttftMs > 0 ? (promptTokens * 1000) / ttftMs : 0,
    decode: summarizeDecode(stepLatenciesMs, decodeMs),
    tokenIds,
    peakRssBytes,
  };
}
