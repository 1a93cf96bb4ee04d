// What the profile commands are given and where else the trace to open comes from (used by profile-features.ts): a
// target named by a Uri, a `file:` URI string or a path; a run of the Runs view; the options argument of
// `edge.openProfile` (anything else there, such as the explorer's selected Uris, is ignored); the .json of the active
// editor; and the file dialog for Chrome trace JSON.
import * as vscode from "vscode";
import type { RunInfo } from "../report/runs-provider";

const JSON_FILTER = { "Chrome trace JSON": ["json"] };

/** The .json shown in the active editor (as text or with another editor). */
export function activeJson(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: unknown } | undefined;
  return input?.uri instanceof vscode.Uri && input.uri.scheme === "file" && /\.json$/i.test(input.uri.path)
    ? input.uri.fsPath
    : undefined;
}

/** The file dialog for one Chrome trace JSON. */
export async function pickTraceFile(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: JSON_FILTER });
  return picked?.[0]?.fsPath;
}

/** A path named by a Uri, a `file:` URI string or a path. */
export function pathOf(target: unknown): string | undefined {
  if (target instanceof vscode.Uri) return target.scheme === "file" ? target.fsPath : undefined;
  if (typeof target !== "string" || target === "") return undefined;
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(target) ? vscode.Uri.parse(target).fsPath : target;
}

/** A run of the Runs view (its tree item's RunInfo). */
export function isRunItem(target: unknown): target is RunInfo {
  const t = target as Partial<RunInfo> | undefined;
  return typeof t === "object" && t !== null && t.uri instanceof vscode.Uri && typeof t.runId === "string";
}

export interface OpenProfileOptions {
  compareRunDir?: string;
  compareWith?: string;
  node?: string;
}

/** The options argument; anything else (the explorer passes the selected Uris there) is ignored. */
export function optionsOf(options: unknown): OpenProfileOptions {
  const o = options as Partial<OpenProfileOptions> | undefined;
  if (typeof o !== "object" || o === null || Array.isArray(o)) return {};
  const out: OpenProfileOptions = {};
  if (typeof o.compareRunDir === "string") out.compareRunDir = pathOf(o.compareRunDir);
  if (typeof o.compareWith === "string") out.compareWith = pathOf(o.compareWith);
  if (typeof o.node === "string") out.node = o.node;
  return out;
}
