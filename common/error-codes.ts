// The error codes every part of the product shares: `area/reason` codes of the engine's EdgeError
// (engine/errors.ts), as they appear in `error` events, in report.json's `errors` and in the extension's messages,
// and where a problem happened.

export type ErrorCode =
  | "model/invalid"
  | "model/not-found"
  | "model/unsupported"
  | "model/unsupported-opset"
  | "model/external-data"
  | "model/export"
  | "recipe/invalid"
  | "recipe/not-found"
  | "run/failed"
  | "run/input"
  | "run/busy"
  /** Stopped (Ctrl-C, SIGTERM, the caller's AbortSignal) before the run started: exit 130 like a stopped run. */
  | "run/aborted"
  | "budget/failed"
  | "device/unknown"
  | "device/unsupported"
  | "device/disk-full"
  | "device/runner"
  | "transport/not-found"
  | "transport/unreachable"
  | "transport/auth"
  | "transport/disconnected"
  | "transport/failed"
  | "data/invalid"
  | "cli/usage"
  | "io/write"
  | "internal/bug";

/** Where a problem happened. Lines and columns are 1-based, as editors and `file:line:col` show them. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  /** Byte offset in a binary file (a model) where reading failed. */
  offset?: number;
  node?: string;
  device?: string;
}
