// Overlays on a scene (pure): for each box, the colours and text a run's measurements give it. Latency paints the
// box with a heat colour and prints its time (a group: the total of its members); partitions put the provider's
// partition colour on a stripe; quantization error (SQNR) colours the box's ring (a group: its worst member).
import { nodeLabel, type ModelGraph } from "../../../common/graph/model-graph";
import type { GraphOverlays, OverlayKind } from "../../../common/graph/overlays";
import type { SceneNode } from "../../../common/graph/scene";
import { formatUs } from "../../../common/units";
import { HEAT_RAMP, heatBucket, partitionColour, SQNR_RAMP, sqnrBucket } from "./colour-scales";

export interface BoxDecoration {
  /** Heat fill (latency). */
  fill?: string;
  /** Time text (latency). */
  badge?: string;
  /** Partition colour. */
  stripe?: string;
  /** SQNR colour. */
  ring?: string;
}

export interface OverlayPalette {
  partitions: readonly string[];
  cpu: string;
}

/** The overlay kinds a run's overlays hold. */
export function availableOverlays(o: GraphOverlays | undefined): OverlayKind[] {
  if (!o) return [];
  return (["latency", "partitions", "quantError"] as const).filter((k) => o[k] !== undefined);
}

/** The slowest node's total (the heat scale's top). */
export function maxLatencyUs(o: GraphOverlays): number {
  let max = 0;
  for (const l of Object.values(o.latency?.byNode ?? {})) max = Math.max(max, l.totalUs);
  return max;
}

/** Decorations for every box of `nodes` (same order; undefined where nothing applies). */
export function decorateBoxes(
  nodes: readonly SceneNode[],
  graph: ModelGraph,
  overlays: GraphOverlays | undefined,
  shown: ReadonlySet<OverlayKind>,
  palette: OverlayPalette,
): (BoxDecoration | undefined)[] {
  if (!overlays || shown.size === 0) return nodes.map(() => undefined);
  const maxUs = maxLatencyUs(overlays);
  const nameOf = (i: number) => graph.nodes[i]?.name ?? "";
  return nodes.map((box) => {
    const members = box.kind === "node" ? [box.index] : box.kind === "group" ? (box.members ?? []) : [];
    if (members.length === 0) return undefined;
    const d: BoxDecoration = {};
    if (shown.has("latency") && overlays.latency) {
      let us = 0;
      let any = false;
      for (const m of members) {
        const l = overlays.latency.byNode[nameOf(m)];
        if (l) [us, any] = [us + l.totalUs, true];
      }
      // A group's total can exceed the slowest node; the scale caps it.
      if (any) [d.fill, d.badge] = [HEAT_RAMP[heatBucket(us, maxUs)], formatUs(us)];
    }
    if (shown.has("partitions") && overlays.partitions) {
      const counts = new Map<string, number>();
      for (const m of members) {
        const c = partitionColour(overlays.partitions.byNode[nameOf(m)], palette.partitions, palette.cpu);
        if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      let best = 0;
      for (const [c, n] of counts) if (n > best) [d.stripe, best] = [c, n];
    }
    if (shown.has("quantError") && overlays.quantError) {
      let worst = -1;
      for (const m of members) {
        const q = overlays.quantError.byNode[nameOf(m)];
        if (q) worst = Math.max(worst, sqnrBucket(q.sqnrDb, q.note));
      }
      if (worst >= 0) d.ring = SQNR_RAMP[worst];
    }
    return d.fill || d.stripe || d.ring ? d : undefined;
  });
}

export interface GroupSummary {
  members: number;
  /** Op types by count, most first. */
  ops: { op: string; count: number }[];
  latencyUs?: number;
  /** The member with the lowest SQNR. */
  worstSqnr?: { node: string; sqnrDb: number | null };
  /** Members per partition/CPU. */
  placements?: { label: string; count: number }[];
}

/** What the properties panel shows for a group: members, op mix, overlay totals. */
export function summarizeGroup(graph: ModelGraph, members: readonly number[], overlays?: GraphOverlays): GroupSummary {
  const ops = new Map<string, number>();
  let latencyUs: number | undefined;
  let worstSqnr: GroupSummary["worstSqnr"];
  const placements = new Map<string, number>();
  for (const m of members) {
    const node = graph.nodes[m];
    if (!node) continue;
    ops.set(node.op, (ops.get(node.op) ?? 0) + 1);
    const l = overlays?.latency?.byNode[node.name];
    if (l) latencyUs = (latencyUs ?? 0) + l.totalUs;
    const q = overlays?.quantError?.byNode[node.name];
    if (q && (!worstSqnr || (q.sqnrDb ?? -Infinity) < (worstSqnr.sqnrDb ?? -Infinity)))
      worstSqnr = { node: nodeLabel(graph, m), sqnrDb: q.sqnrDb };
    const p = overlays?.partitions?.byNode[node.name];
    if (p) {
      const label = p.placement === "cpu" ? "CPU" : `partition ${p.partition ?? 0}`;
      placements.set(label, (placements.get(label) ?? 0) + 1);
    }
  }
  return {
    members: members.length,
    ops: [...ops].map(([op, count]) => ({ op, count })).sort((a, b) => b.count - a.count || a.op.localeCompare(b.op)),
    latencyUs,
    worstSqnr,
    placements: placements.size > 0 ? [...placements].map(([label, count]) => ({ label, count })) : undefined,
  };
}
