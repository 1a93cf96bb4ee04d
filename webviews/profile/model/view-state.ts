// The profile viewer's saved state (ProfileViewState, kept with setState): read back defensively, since a restored
// state may come from an older version or another file.
import type { ProfileViewState } from "../../protocol/profile";

const TABS = ["timeline", "ops", "nodes", "iterations", "compare"] as const;

export function readViewState(value: unknown): ProfileViewState {
  if (typeof value !== "object" || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: ProfileViewState = {};
  const w = v.window as Record<string, unknown> | undefined;
  if (
    w &&
    typeof w.startUs === "number" &&
    typeof w.endUs === "number" &&
    Number.isFinite(w.startUs) &&
    w.endUs > w.startUs
  )
    out.window = { startUs: w.startUs, endUs: w.endUs };
  if (typeof v.warmupRuns === "number" && Number.isInteger(v.warmupRuns) && v.warmupRuns >= 0)
    out.warmupRuns = v.warmupRuns;
  const s = v.selection as Record<string, unknown> | undefined;
  if (s && typeof s.track === "number" && typeof s.startUs === "number" && typeof s.name === "string")
    out.selection = { track: s.track, startUs: s.startUs, name: s.name };
  if (typeof v.tab === "string" && (TABS as readonly string[]).includes(v.tab))
    out.tab = v.tab as ProfileViewState["tab"];
  const sort = v.sort as Record<string, unknown> | undefined;
  if (sort && typeof sort.column === "string" && typeof sort.descending === "boolean")
    out.sort = { column: sort.column, descending: sort.descending };
  if (typeof v.filter === "string") out.filter = v.filter;
  if (typeof v.followLive === "boolean") out.followLive = v.followLive;
  return out;
}
