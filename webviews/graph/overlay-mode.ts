// The graph viewer's overlays (used by app.ts): the runs the host offered for this model, the overlays of the one
// picked (asked of the host with OverlaysRequest; the host sends them itself when it opened the viewer with a run),
// which kinds are shown, and their panel (run choice, toggles, legends). The app colours the boxes from them and keeps
// the run and the kinds shown with setState.
import type { GraphOverlays, OverlayKind } from "../../common/graph/overlays";
import { OverlaysRequest, type GraphViewState, type RunChoice } from "../protocol/graph";
import { el } from "../ui/dom";
import type { HostChannel } from "../ui/host-channel";
import { readTheme } from "../ui/theme";
import { availableOverlays } from "./model/overlay-model";
import { overlayPanel } from "./panels/overlay-panel";
import { fill } from "./shell";

/** What the overlays need of the app. */
export interface OverlayHost {
  readonly channel: HostChannel<GraphViewState>;
  /** Colours the boxes again. */
  decorate(): void;
  /** After the overlays or the kinds shown changed (and the boxes were coloured): the rest of the app follows. */
  overlaysChanged(): void;
}

export class OverlayMode {
  /** The runs offered for the model (the host's, in the ready reply). */
  runs: RunChoice[] = [];
  overlays?: GraphOverlays;
  shown = new Set<OverlayKind>();

  constructor(
    private readonly host: OverlayHost,
    /** The overlays section of the side panel. */
    private readonly section: HTMLElement,
  ) {}

  /** Shows a run's overlays: the kinds in `shown` that it has (all it has when not given). */
  set(o: GraphOverlays, shown?: OverlayKind[]): void {
    this.overlays = o;
    const available = availableOverlays(o);
    this.shown = new Set((shown ?? available).filter((k) => available.includes(k)));
    this.renderPanel();
    this.host.decorate();
    this.host.overlaysChanged();
  }

  /** Asks the host for a run's overlays and shows them; a failure is said in the panel. */
  async pickRun(runDir: string, shown?: OverlayKind[]): Promise<void> {
    try {
      this.set(await this.host.channel.sendRequest(OverlaysRequest, { runDir }), shown);
    } catch (error) {
      fill(
        this.section,
        el("p", {
          class: "error",
          text: `Could not read the run's overlays: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    }
  }

  renderPanel(): void {
    const theme = readTheme();
    fill(
      this.section,
      overlayPanel(
        this.runs,
        this.overlays,
        this.shown,
        { partitions: theme.partitions, cpu: theme.cpu },
        {
          pickRun: (runDir) => void this.pickRun(runDir),
          toggle: (kind, on) => {
            if (on) this.shown.add(kind);
            else this.shown.delete(kind);
            this.set(this.overlays!, [...this.shown]);
          },
        },
      ),
    );
  }
}
