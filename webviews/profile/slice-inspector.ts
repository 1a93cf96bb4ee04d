// What the profile viewer shows of the timeline's slices and marks (used by app.ts): the hover tooltip (a slice, the
// slices merged into a pixel, an instant or a counter step), the selected slice's details in the side panel (its args
// read back from the host by byte offset, EventTextRequest, and cached; a kernel's "Reveal in graph"), the selection
// kept in the view state and found again after a reload, and the summary of a dragged range.
import { formatCount, formatUs } from "../../common/units";
import { el, keyValueTable } from "../ui/dom";
import { EventTextRequest, RevealNodeCommand, type ProfileViewState, type TraceSource } from "../protocol/profile";
import type { HostChannel } from "../ui/host-channel";
import { argRows } from "./model/event-args";
import type { SliceInfo } from "./model/trace-views";
import { detailsView } from "./panels/details-panel";
import { rangeView } from "./panels/range-panel";
import type { Shell } from "./shell";
import type { Hit, MarkHit, Timeline } from "./view/timeline";
import type { TraceClient } from "./worker/trace-client";

/** What the inspector works with (the app's). */
export interface SliceInspectorParts {
  channel: HostChannel<ProfileViewState>;
  shell: Shell;
  client: TraceClient;
  timeline: Timeline;
  /** The view state kept with setState: the inspector keeps the selection in it. */
  state: ProfileViewState;
  /** The main trace as the ready reply named it (its model and run folder, for "Reveal in graph"). */
  mainSource(): TraceSource | undefined;
  /** Saves the view state soon. */
  save(): void;
}

export class SliceInspector {
  private readonly argsCache = new Map<number, [string, string][] | undefined>();
  private hoverToken = 0;

  constructor(private readonly parts: SliceInspectorParts) {}

  async hover(hit: Hit | undefined, x: number, y: number): Promise<void> {
    const { shell, client, timeline } = this.parts;
    const tip = shell.tooltip;
    const token = ++this.hoverToken;
    if (!hit) return void (tip.hidden = true);
    tip.style.left = `${x + 14}px`;
    tip.style.top = `${y + 14}px`;
    if (hit.mark) {
      tip.replaceChildren(this.markDetails(hit.mark));
      tip.hidden = false;
      return;
    }
    if (hit.slice < 0) {
      tip.replaceChildren(el("div", { text: `${formatCount(hit.merged)} slices too small to draw at this zoom` }));
      tip.hidden = false;
      return;
    }
    const info = await client.query("slice", { slot: "main", index: hit.slice });
    if (!info || token !== this.hoverToken) return;
    const args = await this.args(info);
    if (token !== this.hoverToken) return;
    tip.replaceChildren(detailsView(info, timeline.originUs, args));
    tip.hidden = false;
  }

  /** Hover details of an instant tick or a counter step. */
  private markDetails(m: MarkHit): HTMLElement {
    const at = formatUs(m.timeUs - this.parts.timeline.originUs);
    if (m.kind === "instant")
      return el(
        "div",
        { class: "mark-details", attrs: { "data-kind": "instant" } },
        el("h3", { text: m.merged > 1 ? `${formatCount(m.merged)} instants` : m.name }),
        keyValueTable([
          ["Instant", m.merged > 1 ? `${m.name} and ${formatCount(m.merged - 1)} more in this pixel` : m.name],
          ["At", at],
          ["Scope", m.global ? "global" : "thread"],
        ]),
      );
    const value = (v: number) => (Number.isInteger(v) ? formatCount(v) : String(Number(v.toPrecision(6))));
    return el(
      "div",
      { class: "mark-details", attrs: { "data-kind": "counter" } },
      el("h3", { text: `${m.name} · ${m.series}` }),
      keyValueTable([
        ["Value", value(m.value)],
        ["From", at],
        ...(m.merged > 1
          ? ([["Samples here", `${formatCount(m.merged)} (min ${value(m.min)}, max ${value(m.max)})`]] as [
              string,
              string,
            ][])
          : []),
      ]),
    );
  }

  private async args(info: SliceInfo): Promise<[string, string][] | undefined> {
    if (info.byteOffset < 0) return [];
    if (this.argsCache.has(info.byteOffset)) return this.argsCache.get(info.byteOffset);
    const text = await this.parts.channel
      .sendRequest(EventTextRequest, { slot: "main", offset: info.byteOffset })
      .catch(() => "");
    const rows = argRows(text) ?? [];
    this.argsCache.set(info.byteOffset, rows);
    return rows;
  }

  async select(hit: Hit | undefined): Promise<void> {
    const { state, shell } = this.parts;
    if (!hit) {
      state.selection = undefined;
      this.parts.save();
      shell.details.dataset.slice = "";
      return;
    }
    const info = await this.parts.client.query("slice", { slot: "main", index: hit.slice });
    if (!info) return;
    state.selection = { track: info.track, startUs: info.startUs, name: info.name };
    this.parts.save();
    void this.showDetails(info, true);
  }

  /** Shows a slice in the details panel (its args once the host sent them); `reveal`: a kernel's node too. */
  async showDetails(info: SliceInfo, reveal: boolean): Promise<void> {
    const { shell, timeline } = this.parts;
    const node = this.revealNode(info);
    const panel = shell.details;
    panel.dataset.slice = String(info.index);
    const heading = panel.firstElementChild;
    panel.replaceChildren(...(heading ? [heading] : []), detailsView(info, timeline.originUs, undefined, node));
    if (reveal && node && info.kind === 3) node();
    const args = await this.args(info);
    if (panel.dataset.slice === String(info.index))
      panel.replaceChildren(...(heading ? [heading] : []), detailsView(info, timeline.originUs, args, node));
  }

  private revealNode(info: SliceInfo): (() => void) | undefined {
    if (info.kind !== 3) return undefined;
    const src = this.parts.mainSource();
    return () =>
      this.parts.channel.sendCommand(RevealNodeCommand, { model: src?.model, runDir: src?.runDir, node: info.name });
  }

  /** Selects the slice a reload's view state names, when the trace still has it. */
  async restoreSelection(sel: NonNullable<ProfileViewState["selection"]>): Promise<void> {
    const { client, timeline } = this.parts;
    const index = await client.query("findSlice", { slot: "main", ...sel });
    if (index < 0) return;
    timeline.selected = index;
    timeline.requestDraw();
    const info = await client.query("slice", { slot: "main", index });
    if (info) void this.showDetails(info, false);
  }

  async showRange(r: { startUs: number; endUs: number } | undefined): Promise<void> {
    const panel = this.parts.shell.range;
    const heading = panel.firstElementChild;
    if (!r) {
      panel.hidden = true;
      return;
    }
    const summary = await this.parts.client.query("range", { slot: "main", startUs: r.startUs, endUs: r.endUs });
    panel.replaceChildren(...(heading ? [heading] : []), rangeView(summary));
    panel.hidden = false;
  }
}
