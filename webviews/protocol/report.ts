// The run report webview's protocol (webviews/report ⇄ extension/report). Direction is in every name: `…Command`
// webview→host (no reply), `…Request` webview→host (one reply), `Did…Notification` host→webview.
// A run's report is report.json as it is, typed by common/report.ts (the engine writes the same type).
import type { RunReport } from "../../common/report";
import { command, notification, request } from "./ipc";

export const REPORT_VIEW_TYPE = "edge.report";

/** One run as the webview sees it: its report, or why it could not be read. */
export interface RunEntry {
  /** The run directory's URI (string form); the key the webview uses in commands. */
  runDir: string;
  /** The directory's name (`<timestamp>-<recipe>-<device>`). */
  runId: string;
  report?: RunReport;
  /** Set when report.json is missing, unreadable or of another schemaVersion. */
  error?: string;
  /** The run's model files as absolute paths (the host reads them from the report), each with a graph link. */
  models?: { original?: string; produced: string[] };
}

/** The whole state of the view: one run, or two side by side (the second compared against the first). */
export type ReportState = { mode: "single"; runs: [RunEntry] } | { mode: "compare"; runs: [RunEntry, RunEntry] };

/** What the webview keeps with `setState` (and the panel serializer gets back after a reload). */
export interface ReportPersistedState {
  runDirs: string[];
}

/** The ready request carries nothing: the host knows which runs its panel shows (the serializer restores them). */
export type ReadyParams = Record<string, never>;

/** webview→host: the app is loaded; the reply is the state to show. */
export const ReadyRequest = request<ReadyParams, ReportState>("report/ready");

export interface OpenFileParams {
  runDir: string;
  /** Relative to the run directory. */
  path: string;
}
/** webview→host: open one of the run's files in an editor. */
export const OpenFileCommand = command<OpenFileParams>("report/openFile");

/** webview→host: open one of the run's models (`path`, from `RunEntry.models`) in the graph viewer. */
export const OpenModelGraphCommand = command<{ runDir: string; path: string }>("report/openModelGraph");

/** webview→host: open the run's profile in the profile viewer; with `compareRunDir`, compared with that run's. */
export const OpenProfileCommand = command<{ runDir: string; compareRunDir?: string }>("report/openProfile");

/** webview→host: ask the user for another run to compare this one with. */
export const CompareWithCommand = command<{ runDir: string }>("report/compareWith");

/** host→webview: the runs shown changed (a report rewritten, another run to compare). */
export const DidChangeStateNotification = notification<ReportState>("report/didChangeState");
