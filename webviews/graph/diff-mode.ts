// The graph viewer's diff mode (used by app.ts): the diff the host sent against another model, its panel (summary,
// the list of changes, stepping through them: a step reveals the changed node), the marks on the boxes of the changed
// and added nodes (top-level body only), and a node's change for the properties panel. `data-mode` on the app says
// "diff" or "view".
import type { GraphPath, ModelGraphDocument } from "../../common/graph/model-graph";
import type { DiffState, GraphOpenError } from "../protocol/graph";
import { afterMarks, changeEntries, diffSummary, stepChange, type ChangeEntry } from "./model/diff-model";
import type { SceneIndex } from "./model/scene-index";
import { diffPanel } from "./panels/diff-panel";
import { el } from "../ui/dom";
import { fill } from "./shell";

/** What diff mode needs of the app. */
export interface DiffHost {
  readonly doc?: ModelGraphDocument;
  readonly path: GraphPath;
  decorate(): void;
  reveal(path: GraphPath, node: number): Promise<void>;
}

export class DiffMode {
  private diff?: { state: DiffState; entries: ChangeEntry[]; current: number };

  constructor(
    private readonly host: DiffHost,
    /** The diff section of the side panel. */
    private readonly section: HTMLElement,
    /** The app's root element (gets `data-mode`). */
    private readonly root: HTMLElement,
  ) {}

  set(diff: DiffState | undefined, error?: GraphOpenError): void {
    if (error) {
      this.diff = undefined;
      this.section.hidden = false;
      fill(this.section, el("p", { class: "error", text: `${error.code}: ${error.message}` }));
    } else if (!diff || !this.host.doc) {
      this.diff = undefined;
      this.section.hidden = true;
    } else {
      this.diff = {
        state: diff,
        entries: changeEntries(diff.diff, diff.before.graph, this.host.doc.graph),
        current: -1,
      };
      this.render();
    }
    this.root.dataset.mode = this.diff ? "diff" : "view";
    this.host.decorate();
  }

  /** The boxes (scene indices) of added and changed nodes; none outside the top-level body or diff mode. */
  marks(index: SceneIndex): Map<number, "added" | "changed"> {
    const marks = new Map<number, "added" | "changed">();
    if (this.diff && this.host.path.length === 0)
      for (const [node, kind] of afterMarks(this.diff.state.diff)) {
        const box = index.boxOf(node);
        const i = box && index.byId.get(box.id);
        if (i !== undefined && kind !== "removed" && marks.get(i) !== "added") marks.set(i, kind);
      }
    return marks;
  }

  detailsFor(node: number): { kind: string; details: string[] } | undefined {
    if (!this.diff || this.host.path.length > 0) return undefined;
    const c = this.diff.state.diff.changes.find((x) => x.after === node && x.kind !== "removed");
    return c && { kind: c.kind, details: c.details };
  }

  private render(): void {
    const d = this.diff!;
    this.section.hidden = false;
    fill(
      this.section,
      diffPanel(d.state.before.path, diffSummary(d.state.diff), d.entries, d.current, {
        step: (s) => this.step(stepChange(d.entries.length, d.current, s)),
        choose: (i) => this.step(i),
        close: () => this.set(undefined),
      }),
    );
  }

  private step(i: number): void {
    if (!this.diff || i < 0) return;
    this.diff.current = i;
    this.render();
    this.section.querySelector(".change.current")?.scrollIntoView({ block: "nearest" });
    const after = this.diff.entries[i].after;
    if (after !== undefined) void this.host.reveal([], after);
  }
}
