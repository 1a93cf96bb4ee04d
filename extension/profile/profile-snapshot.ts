// What a profile viewer (profile-editor.ts) shows of itself: its snapshot, which the extension's API hands the
// extension-host tests (ProfileApi in profile-features.ts): the streams per slot with their flow control, the messages
// sent and received, the live iterations passed on and the latency of each one drawn, and the highlights.
import type { NodeRef } from "../../webviews/protocol/node-links";
import type { TraceSlot } from "../../webviews/protocol/profile";

/** One stream of a slot, as a test sees it. */
export interface StreamRecord {
  path: string;
  chunks: number;
  bytes: number;
  ended: boolean;
  error?: string;
  consumed: number;
  maxAheadBytes: number;
}

/** What a test can see of a viewer. */
export interface ProfileEditorSnapshot {
  /** The main trace's path (a live run: where its profile.json will be). */
  path: string;
  viewType: string;
  live: boolean;
  readyRequests: number;
  /** Notifications sent (methods, in order; one entry per chunk), and commands received. */
  notifications: string[];
  commands: string[];
  /**
   * Per slot: bytes and chunks sent by the last stream, whether it ended (DidEndTrace sent), the bytes its worker said
   * it read, and the most bytes that were ever sent and not yet read when a chunk went out.
   */
  streams: Partial<Record<TraceSlot, StreamRecord>>;
  /** Live iterations passed on, in order. */
  liveIterations: number[];
  /**
   * Per live iteration the webview drew: ms from the engine's end of that iteration to the webview's word that its
   * kernels are on screen. Only iterations whose kernels arrived while the viewer was open and ready (a viewer opened
   * late first draws the iterations it missed: those are not live latencies).
   */
  liveLatencies: { iteration: number; ms: number }[];
  /** Highlights sent (or handed over in the ready reply). */
  highlights: NodeRef[];
}

/** A new viewer's snapshot: nothing sent or received yet. */
export function emptySnapshot(path: string, viewType: string, live: boolean): ProfileEditorSnapshot {
  return {
    path,
    viewType,
    live,
    readyRequests: 0,
    notifications: [],
    commands: [],
    streams: {},
    liveIterations: [],
    liveLatencies: [],
    highlights: [],
  };
}
