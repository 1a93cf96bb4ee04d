// Fills the properties section for the selected box: asks the host for a node's details (the latest request wins),
// summarizes a group from the graph and the overlays, or describes a graph input/output tensor.
import { nodeLabel } from "../../common/graph/model-graph";
import type { SceneNode } from "../../common/graph/scene";
import { formatNumber, formatPercent, formatUs } from "../../common/units";
import { NodeDetailsRequest, RevealKernelsCommand } from "../protocol/graph";
import type { GraphPath, ModelGraph, ModelGraphDocument } from "../../common/graph/model-graph";
import type { GraphOverlays } from "../../common/graph/overlays";
import type { GraphViewState } from "../protocol/graph";
import type { NodeRef } from "../protocol/node-links";
import type { HostChannel } from "../ui/host-channel";
import { summarizeGroup } from "./model/overlay-model";
import { groupProperties, messageProperties, nodeProperties, tensorProperties } from "./panels/properties-panel";
import { fill } from "./shell";

/** What the panel needs of the app (GraphApp has it). */
export interface SelectionHost {
  readonly channel: HostChannel<GraphViewState>;
  readonly doc?: ModelGraphDocument;
  readonly graph: ModelGraph | undefined;
  readonly path: GraphPath;
  readonly overlays?: GraphOverlays;
  diffDetailsFor(node: number): { kind: string; details: string[] } | undefined;
  openBody(node: number, attribute: string): Promise<void>;
}

export class SelectionPanel {
  private seq = 0;

  constructor(
    private readonly app: SelectionHost,
    private readonly section: HTMLElement,
  ) {}

  show(box: SceneNode | undefined): void {
    const seq = ++this.seq;
    const graph = this.app.graph;
    if (!box || !graph) return fill(this.section, messageProperties("Select a node to see its properties."));
    if (box.kind === "group")
      return fill(
        this.section,
        groupProperties(box.label, box.id.slice(1), summarizeGroup(graph, box.members ?? [], this.app.overlays)),
      );
    if (box.kind === "input" || box.kind === "output") {
      const t = graph.tensors[box.index];
      return fill(this.section, t ? tensorProperties(t, box.kind) : messageProperties("Unknown tensor"));
    }
    const node = graph.nodes[box.index];
    if (!node) return;
    fill(this.section, messageProperties(`Loading ${nodeLabel(graph, box.index)}…`, "note loading"));
    const path = this.app.path;
    this.app.channel
      .sendRequest(NodeDetailsRequest, { path, node: box.index })
      .then((details) => {
        if (seq !== this.seq) return;
        const problems = graph.problems.filter((p) => p.node === box.index).map((p) => `${p.kind}: ${p.message}`);
        const doc = this.app.doc;
        fill(
          this.section,
          nodeProperties(
            details,
            {
              bodies: (node.subgraphs ?? []).map((s) => s.attribute),
              overlayLines: this.overlayLines(node.name),
              diff: this.app.diffDetailsFor(box.index),
              problems,
            },
            {
              showKernels: () => {
                const ref: NodeRef = { node: node.name };
                if (doc) ref.model = doc.path;
                if (this.app.overlays) ref.runDir = this.app.overlays.runDir;
                this.app.channel.sendCommand(RevealKernelsCommand, ref);
              },
              openBody: (attribute) => void this.app.openBody(box.index, attribute),
            },
          ),
        );
      })
      .catch((error: unknown) => {
        if (seq === this.seq)
          fill(
            this.section,
            messageProperties(
              `Could not read the node's details: ${error instanceof Error ? error.message : String(error)}`,
              "error",
            ),
          );
      });
  }

  private overlayLines(name: string): [string, string][] {
    const o = this.app.overlays;
    const lines: [string, string][] = [];
    const l = o?.latency?.byNode[name];
    if (l) {
      lines.push(["kernel time", `${formatUs(l.meanUsPerRun)} per run (${formatPercent(l.share)})`]);
      if (l.provider) lines.push(["provider", l.provider]);
    }
    const p = o?.partitions?.byNode[name];
    if (p)
      lines.push([
        "placement",
        p.placement === "cpu"
          ? `CPU${p.reason ? ` (${p.reason})` : ""}`
          : `${o!.partitions!.provider} partition ${p.partition ?? 0}`,
      ]);
    const q = o?.quantError?.byNode[name];
    if (q)
      lines.push(["SQNR", q.sqnrDb === null ? (q.note ?? "not finite") : `${formatNumber(q.sqnrDb)} dB (${q.output})`]);
    return lines;
  }
}
