// The profile viewer's protocol (webviews/profile ⇄ extension/profile). Direction is in every name: `…Command`
// webview→host (no reply), `…Request` webview→host (one reply), `Did…Notification` host→webview.
//
// The host never parses a trace: it streams the file's bytes to the webview in chunks (a 1 GB trace never becomes one
// string or one message), and the webview's Web Worker parses them with common/trace/ and builds the index
// (common/trace/trace-model.ts) off the UI thread. A live run's kernels arrive as they are measured.
import type { KernelEvent } from "../../common/events";
import { command, notification, request } from "./ipc";
import type { NodeRef } from "./node-links";

/** The custom editor's view type (Chrome trace JSON, priority "option") and the panel's. */
export const PROFILE_VIEW_TYPE = "edge.profile";

/** Which trace a message is about: the one shown, or the one it is compared with. */
export type TraceSlot = "main" | "compare";

/** A trace the viewer shows: a file (streamed) or a live run (its kernels as the engine emits them). */
export interface TraceSource {
  /** Absolute path of the trace file; for a live run, the profile.json it will be written to. */
  path: string;
  /** File size in bytes (absent while a live run has not written it). */
  sizeBytes?: number;
  /** The run folder the trace belongs to, when it is one (links to its model and report). */
  runDir?: string;
  /** The model the run ran (its produced model when it made one): where a kernel's node is revealed. */
  model?: string;
  /** Shown in the title and the compare header: the run id, or the file name. */
  label: string;
  /** The run is still going: kernels come as DidReceiveLiveKernelsNotification, the file at its end. */
  live?: boolean;
  /**
   * The warm-up model_runs at the trace's start, when the run's report says (its profile summary: runsInTrace −
   * runsSummarized). The tables leave them out by default.
   */
  warmupRuns?: number;
}

/** What the webview keeps with `setState`. */
export interface ProfileViewState {
  /** The visible time window, µs from the trace's start. */
  window?: { startUs: number; endUs: number };
  /** The selected slice, by track id and start (stable across reloads of the same file). */
  selection?: { track: number; startUs: number; name: string };
  /** The tab shown. */
  tab?: "timeline" | "ops" | "nodes" | "iterations" | "compare";
  /** Warm-up model_runs the tables leave out, as the user chose (absent: the viewer's default for the trace). */
  warmupRuns?: number;
  /** Table sort and filter. */
  sort?: { column: string; descending: boolean };
  filter?: string;
  /** Follow a live run's newest iteration. */
  followLive?: boolean;
}

export interface ProfileInitialState {
  main: TraceSource;
  compare?: TraceSource;
  /** Kernels of this node to highlight once indexed (opened from the graph viewer). */
  highlight?: NodeRef;
}

/** webview→host: the app is loaded; the reply is what it shows. The bytes follow as notifications. */
export const ReadyRequest = request<Record<string, never>, ProfileInitialState>("profile/ready");

/**
 * host→webview: the next chunk of a trace file (in order; `offset` is its first byte's offset in the file). A chunk
 * at offset 0 starts the slot over (the file changed, another compare trace was chosen) and carries its `source`.
 */
export const DidReceiveTraceChunkNotification = notification<{
  slot: TraceSlot;
  offset: number;
  bytes: Uint8Array;
  source?: TraceSource;
}>("profile/didReceiveTraceChunk");

/**
 * webview→host: the worker has read `bytes` bytes of the slot's current stream (sent after each chunk). The host keeps
 * at most a few chunks ahead of it, so a slow parse never piles a large file up in the webview's memory.
 */
export const TraceConsumedCommand = command<{ slot: TraceSlot; bytes: number }>("profile/traceConsumed");

/** host→webview: the file was read to its end (or could not be: `error`); the webview then finishes its index. */
export const DidEndTraceNotification = notification<{ slot: TraceSlot; byteLength: number; error?: string }>(
  "profile/didEndTrace",
);

/** webview→host: the bytes of one event again (its `args` for the details panel), from its byte offset. */
export const EventTextRequest = request<{ slot: TraceSlot; offset: number }, string>("profile/eventText");

/** host→webview: kernels of a live run's iterations, as the engine emitted them (one message per iteration). */
export const DidReceiveLiveKernelsNotification = notification<{ iteration: number; kernels: KernelEvent[] }>(
  "profile/didReceiveLiveKernels",
);

/** host→webview: the live run ended; its profile.json follows as chunks into the "main" slot, replacing the live data. */
export const DidEndLiveRunNotification = notification<{ ok: boolean; profilePath?: string }>("profile/didEndLiveRun");

/** webview→host: ask the user for another trace to compare with (the host answers with a new "compare" stream). */
export const ChooseCompareCommand = command<Record<string, never>>("profile/chooseCompare");

/** webview→host: reveal this kernel's node in the graph viewer (see node-links.ts). */
export const RevealNodeCommand = command<NodeRef>("profile/revealNode");

/** host→webview: highlight the kernels of this node (the graph viewer asked). */
export const DidHighlightKernelsNotification = notification<NodeRef>("profile/didHighlightKernels");

/**
 * webview→host: these live iterations' kernels are on screen now (sent once per drawn frame that showed new live
 * iterations). The host times them against the ends of the engine's iterations (the live latency).
 */
export const LiveDrawnCommand = command<{ iterations: number[] }>("profile/liveDrawn");

/** webview→host: open the run's report (compare mode links back to it). */
export const OpenReportCommand = command<{ runDir: string }>("profile/openReport");
