// The profile webview's protocol (webviews/protocol/profile.ts) on the host side, without VS Code: which handler
// answers which message, and the checks on what the webview sends. Registered on a WebviewChannel by
// profile-editor.ts and on a bare MessageDispatcher by the unit tests.
import {
  ChooseCompareCommand,
  EventTextRequest,
  LiveDrawnCommand,
  OpenReportCommand,
  ReadyRequest,
  RevealNodeCommand,
  TraceConsumedCommand,
  type ProfileInitialState,
  type TraceSlot,
} from "../../webviews/protocol/profile";
import type { NodeRef } from "../../webviews/protocol/node-links";
import { isNodeRef, type HandlerTarget } from "../graph/graph-handlers";

/** What one profile editor does for its webview (profile-editor.ts with VS Code; a fake in tests). */
export interface ProfileEditorHost {
  initialState(): Promise<ProfileInitialState>;
  /** The bytes of one event of the trace in `slot`, read again from its byte offset. */
  eventText(slot: TraceSlot, offset: number): Promise<string>;
  chooseCompare(): Promise<void>;
  revealNode(ref: NodeRef): Promise<void>;
  /** The run folders this editor shows (OpenReportCommand may only name one of them). */
  runDirs(): readonly string[];
  openReport(runDir: string): Promise<void>;
  /** The webview's worker has read `bytes` bytes of the slot's current stream. */
  traceConsumed(slot: TraceSlot, bytes: number): void;
  /** The webview drew these live iterations' kernels. */
  liveDrawn(iterations: number[]): void;
}

export function registerProfileHandlers(target: HandlerTarget, host: ProfileEditorHost): { dispose(): unknown }[] {
  return [
    target.onRequest(ReadyRequest, () => host.initialState()),
    target.onRequest(EventTextRequest, (params) => {
      const p = params as { slot?: unknown; offset?: unknown } | undefined;
      if (!isSlot(p?.slot) || !Number.isSafeInteger(p.offset) || (p.offset as number) < 0)
        throw new Error('profile: eventText needs { slot: "main" | "compare", offset: a byte offset }');
      return host.eventText(p.slot, p.offset as number);
    }),
    target.onCommand(ChooseCompareCommand, () => host.chooseCompare()),
    target.onCommand(RevealNodeCommand, (params) => {
      if (!isNodeRef(params)) throw new Error("profile: revealNode needs { node, model?, runDir? }");
      return host.revealNode(params);
    }),
    target.onCommand(TraceConsumedCommand, (params) => {
      const p = params as { slot?: unknown; bytes?: unknown } | undefined;
      if (!isSlot(p?.slot) || !Number.isSafeInteger(p.bytes) || (p.bytes as number) < 0)
        throw new Error('profile: traceConsumed needs { slot: "main" | "compare", bytes: a byte count }');
      host.traceConsumed(p.slot, p.bytes as number);
    }),
    target.onCommand(LiveDrawnCommand, (params) => {
      const iterations = (params as { iterations?: unknown } | undefined)?.iterations;
      if (!Array.isArray(iterations) || !iterations.every((i) => Number.isSafeInteger(i) && (i as number) >= 0))
        throw new Error("profile: liveDrawn needs { iterations: iteration indexes }");
      host.liveDrawn(iterations as number[]);
    }),
    target.onCommand(OpenReportCommand, (params) => {
      const runDir = (params as { runDir?: unknown } | undefined)?.runDir;
      if (typeof runDir !== "string" || !host.runDirs().includes(runDir))
        throw new Error(`profile: not a run this viewer shows: ${String(runDir)}`);
      return host.openReport(runDir);
    }),
  ];
}

function isSlot(value: unknown): value is TraceSlot {
  return value === "main" || value === "compare";
}
