// The state the viewer keeps with setState (GraphViewState in the protocol), checked on the way back in: a restored
// state may come from an older build, or a model that has changed since.
import type { GraphPath, ModelGraph } from "../../../common/graph/model-graph";
import { graphAt } from "../../../common/graph/model-graph";
import type { OverlayKind } from "../../../common/graph/overlays";
import type { GraphViewState } from "../../protocol/graph";
import { isCamera } from "../view/camera";

const OVERLAY_KINDS: readonly OverlayKind[] = ["latency", "partitions", "quantError"];

/** The parts of `raw` that are well-formed and fit `root` (a path that no longer exists is dropped). */
export function restoreViewState(raw: unknown, root: ModelGraph | undefined): GraphViewState {
  if (typeof raw !== "object" || raw === null) return {};
  const s = raw as Record<string, unknown>;
  const out: GraphViewState = {};
  if (isCamera(s.camera)) out.camera = { x: s.camera.x, y: s.camera.y, zoom: s.camera.zoom };
  if (s.direction === "TB" || s.direction === "LR") out.direction = s.direction;
  if (typeof s.selection === "string") out.selection = s.selection;
  if (Array.isArray(s.path) && isPath(s.path) && root && graphAt(root, s.path)) out.path = s.path;
  if (Array.isArray(s.expanded)) out.expanded = s.expanded.filter((e): e is string => typeof e === "string");
  if (Array.isArray(s.collapsed)) out.collapsed = s.collapsed.filter((e): e is string => typeof e === "string");
  const o = s.overlays as Record<string, unknown> | undefined;
  if (o && typeof o.runDir === "string" && Array.isArray(o.shown))
    out.overlays = {
      runDir: o.runDir,
      shown: o.shown.filter((k): k is OverlayKind => OVERLAY_KINDS.includes(k as OverlayKind)),
    };
  return out;
}

function isPath(value: unknown[]): value is GraphPath {
  return value.every(
    (step) =>
      typeof step === "object" &&
      step !== null &&
      Number.isInteger((step as { node?: unknown }).node) &&
      typeof (step as { attribute?: unknown }).attribute === "string",
  );
}

/** A key for a path (caches, comparisons): "" for the main graph. */
export function pathKey(path: GraphPath): string {
  return path.map((s) => `${s.node}.${s.attribute}`).join("/");
}

export function samePath(a: GraphPath, b: GraphPath): boolean {
  return pathKey(a) === pathKey(b);
}
