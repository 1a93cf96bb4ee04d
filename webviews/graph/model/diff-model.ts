// Diff mode (pure): this viewer's model is the "after" side of a GraphDiff. Marks for after-graph nodes (added,
// changed), the list of changes in order (removed ones name the before node), and stepping through the list.
import { nodeLabel, type ModelGraph } from "../../../common/graph/model-graph";
import type { GraphDiff, NodeChangeKind } from "../../../common/graph/diff-types";

export interface ChangeEntry {
  kind: NodeChangeKind;
  /** After-graph node to reveal (absent for removed nodes). */
  after?: number;
  label: string;
  details: string[];
}

export function changeEntries(diff: GraphDiff, before: ModelGraph, after: ModelGraph): ChangeEntry[] {
  return diff.changes.map((c) => ({
    kind: c.kind,
    after: c.kind === "removed" ? undefined : c.after,
    label:
      c.kind === "removed"
        ? c.before !== undefined && before.nodes[c.before]
          ? nodeLabel(before, c.before)
          : "(removed node)"
        : c.after !== undefined && after.nodes[c.after]
          ? nodeLabel(after, c.after)
          : "(node)",
    details: c.details,
  }));
}

/** After-graph node index → what changed about it (added or changed). */
export function afterMarks(diff: GraphDiff): Map<number, NodeChangeKind> {
  const marks = new Map<number, NodeChangeKind>();
  for (const c of diff.changes) if (c.kind !== "removed" && c.after !== undefined) marks.set(c.after, c.kind);
  return marks;
}

/**
 * The next (step +1) or previous (-1) entry from `current` (-1: none yet), wrapping around; -1 when the list is empty.
 */
export function stepChange(count: number, current: number, step: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}

export function diffSummary(diff: GraphDiff): string {
  const n = (k: NodeChangeKind) => diff.changes.filter((c) => c.kind === k).length;
  return `${n("added")} added, ${n("removed")} removed, ${n("changed")} changed, ${diff.unchanged} unchanged`;
}
