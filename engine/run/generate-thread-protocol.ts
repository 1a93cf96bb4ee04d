// The messages between a run (generate-thread.ts) and its generation thread (generate-worker.ts). The thread gets
// what it needs to make the session and generate as its workerData, answers with the session's creation time (or
// why onnxruntime could not make it), then on `generate` streams the loop's events (in batches) and ends with the result and the
// peak RSS it saw; a failure carries the error as data and the generations done before it.
import type { GenerationResult } from "../../common/generation";
import type { ErrorCode, Where } from "../errors";
import type { EventInput } from "../events";
import type { GenerateIo } from "./generate-io";
import type { OrtSessionOptions } from "./ort";
import type { GeneratePlan } from "./plan";

export interface GenerateThreadInit {
  modelPath: string;
  ortOptions: OrtSessionOptions;
  io: GenerateIo;
  plan: GeneratePlan;
  seed: number;
  vocabSize?: number;
}

export type ToGenerateThread = { type: "generate" } | { type: "stop" } | { type: "close" };

/** An error that crossed the thread: an EdgeError's fields, or another error's message. */
export interface ThreadError {
  code?: ErrorCode;
  message: string;
  where?: Where;
  hint?: string;
}

export type FromGenerateThread =
  | { type: "session"; creationMs: number }
  | { type: "session-failed"; message: string }
  | { type: "events"; events: EventInput[] }
  | { type: "done"; result: GenerationResult; peakRssBytes: number }
  | { type: "failed"; error: ThreadError; result: GenerationResult; peakRssBytes: number }
  | { type: "closed" };
