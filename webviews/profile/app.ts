// The profile viewer app: feeds the host's trace chunks and live kernels to the worker, shows reading progress, then
// the timeline and the table tabs; links kernels to the graph viewer both ways; keeps its state with setState. What
// hovering, selecting and dragging on the timeline show is slice-inspector.ts's.
import type { KernelEvent } from "../../common/events";
import { clampSkipRuns, warmupDefault } from "../../common/trace/trace-tables";
import { formatBytes, formatCount } from "../../common/units";
import { el } from "../ui/dom";
import type { NodeRef } from "../protocol/node-links";
import {
  ChooseCompareCommand,
  LiveDrawnCommand,
  TraceConsumedCommand,
  type ProfileInitialState,
  type ProfileViewState,
  type TraceSlot,
  type TraceSource,
} from "../protocol/profile";
import type { HostChannel } from "../ui/host-channel";
import { nextSort } from "./model/table-sort";
import { traceName } from "./model/trace-label";
import type { TraceOverview } from "./model/trace-views";
import { readViewState } from "./model/view-state";
import { readNotes } from "./panels/read-notes";
import { buildShell, type Shell, type Tab } from "./shell";
import { SliceInspector } from "./slice-inspector";
import {
  compareView,
  iterationsView,
  nodesView,
  opsView,
  warmupControl,
  type TableHandlers,
  type Warmup,
} from "./tab-views";
import { bindTimelineInput } from "./view/timeline-input";
import { Timeline } from "./view/timeline";
import { TraceClient } from "./worker/trace-client";

export class ProfileApp {
  readonly shell: Shell;
  readonly client: TraceClient;
  readonly timeline: Timeline;
  private readonly inspector: SliceInspector;
  private initial?: ProfileInitialState;
  /** What each slot shows: from the ready reply, then from the host's chunk at offset 0 (another compare trace). */
  private readonly sources: Partial<Record<TraceSlot, TraceSource>> = {};
  private readonly state: ProfileViewState;
  private overview?: TraceOverview;
  private compareOverview?: TraceOverview;
  private readonly received: Record<TraceSlot, number> = { main: 0, compare: 0 };
  private pendingHighlight?: NodeRef;
  private saveTimer?: ReturnType<typeof setTimeout>;
  private painted = false;
  /** The newest live iteration received and the time it arrived (the bench times it to its frame). */
  liveArrived?: { iteration: number; version: number; at: number };
  private liveVersion = 0;
  /** Live iterations received and not drawn yet (told to the host once a frame shows them). */
  private liveUndrawn: number[] = [];

  constructor(
    private readonly channel: HostChannel<ProfileViewState>,
    root: HTMLElement,
  ) {
    this.state = readViewState(channel.api.getState());
    this.shell = buildShell({
      tab: (t) => this.showTab(t),
      fit: () => this.timeline.fit(),
      zoom: (f) => this.timeline.zoom(f),
      compare: () => channel.sendCommand(ChooseCompareCommand, {}),
      follow: () => this.setFollow(true),
      filter: (text) => {
        this.state.filter = text;
        this.save();
        void this.renderTab();
      },
    });
    this.shell.filter.value = this.state.filter ?? "";
    root.replaceChildren(this.shell.root);
    this.client = new TraceClient({
      progress: (slot, bytes, events) => this.progress(slot, bytes, events),
      consumed: (slot, bytes) => channel.sendCommand(TraceConsumedCommand, { slot, bytes }),
      ready: (slot, overview, version) => this.ready(slot, overview, version),
      failed: (slot, message) => this.failed(slot, message),
    });
    this.timeline = new Timeline(this.shell.viewport, this.client, {
      windowChanged: () => this.save(),
      hover: (hit, x, y) => void this.inspector.hover(hit, x, y),
      select: (hit) => void this.inspector.select(hit),
      range: (r) => void this.inspector.showRange(r),
      followChanged: (follow) => this.followChanged(follow),
      drawn: (version) => this.drawn(version),
    });
    this.inspector = new SliceInspector({
      channel,
      shell: this.shell,
      client: this.client,
      timeline: this.timeline,
      state: this.state,
      mainSource: () => this.initial?.main,
      save: () => this.save(),
    });
    bindTimelineInput(this.timeline);
    this.showTab(this.state.tab ?? "timeline", false);
  }

  init(initial: ProfileInitialState): void {
    this.initial = initial;
    this.pendingHighlight = initial.highlight;
    this.sources.main = initial.main;
    if (initial.compare) this.sources.compare = initial.compare;
    this.showTitle();
    if (initial.main.live) {
      this.state.followLive ??= true;
      this.timeline.follow = this.state.followLive;
      this.shell.follow.hidden = false;
      this.shell.progress.textContent = "Waiting for the live run's kernels…";
    } else this.shell.progress.textContent = `Reading ${initial.main.label}…`;
  }

  chunk(slot: TraceSlot, bytes: Uint8Array, offset = -1, source?: TraceSource): void {
    if (offset === 0 && source) {
      this.sources[slot] = source;
      this.showTitle();
    }
    // A chunk at offset 0 starts the slot over (the file changed while or after it was read): a new reader.
    if (offset === 0 && this.received[slot] > 0) {
      this.client.reset(slot);
      this.received[slot] = 0;
    }
    this.received[slot] += bytes.byteLength;
    this.client.chunk(slot, bytes);
  }

  private showTitle(): void {
    const { main, compare } = this.sources;
    this.shell.title.textContent = (main?.label ?? "") + (compare ? ` ↔ ${compare.label}` : "");
  }

  end(slot: TraceSlot, byteLength: number, error?: string): void {
    void byteLength;
    this.client.end(slot, error);
  }

  live(iteration: number, kernels: KernelEvent[]): void {
    this.liveArrived = { iteration, version: -1, at: performance.now() };
    this.liveUndrawn.push(iteration);
    this.client.live(iteration, kernels);
  }

  liveEnded(ok: boolean): void {
    this.shell.status.dataset.live = ok ? "ended" : "failed";
    this.liveUndrawn = [];
    this.client.reset("main");
  }

  highlight(ref: NodeRef): void {
    if (!this.overview) {
      this.pendingHighlight = ref;
      return;
    }
    void this.client.query("nodeKernels", { slot: "main", node: ref.node }).then(async (slices) => {
      this.timeline.highlighted = new Set(slices);
      this.shell.root.dataset.highlighted = String(slices.length);
      if (slices.length === 0) {
        this.shell.status.textContent = `No kernels of ${ref.node} in this trace.`;
        return this.timeline.requestDraw();
      }
      this.showTab("timeline");
      const info = await this.client.query("slice", { slot: "main", index: slices[0] });
      if (info) {
        this.timeline.selected = info.index;
        this.timeline.reveal(info.startUs, info.startUs + info.durationUs, info.track);
        void this.inspector.showDetails(info, false);
      }
    });
  }

  save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveNow(), 150);
  }

  saveNow(): void {
    const origin = this.timeline.originUs;
    if (this.overview)
      this.state.window = { startUs: this.timeline.view.startUs - origin, endUs: this.timeline.view.endUs - origin };
    this.channel.api.setState(this.state);
  }

  private progress(slot: TraceSlot, bytes: number, events: number): void {
    if (slot !== "main") return;
    const size = this.initial?.main.sizeBytes;
    const share = size ? ` of ${formatBytes(size)} (${Math.floor((100 * bytes) / size)}%)` : "";
    this.shell.progress.textContent = `Reading ${formatBytes(bytes)}${share}: ${formatCount(events)} events…`;
    this.shell.progress.hidden = false;
  }

  private ready(slot: TraceSlot, overview: TraceOverview, version: number): void {
    if (slot === "compare") {
      this.compareOverview = overview;
      this.showTab("compare");
      return;
    }
    if (!this.painted) performance.mark("edge-profile-index-ready");
    const first = !this.overview;
    this.overview = overview;
    if (overview.live) this.liveVersion = version;
    if (this.liveArrived && overview.live) this.liveArrived.version = version;
    this.shell.progress.hidden = true;
    const restored =
      first && this.state.window
        ? { startUs: this.state.window.startUs + overview.startUs, endUs: this.state.window.endUs + overview.startUs }
        : undefined;
    this.timeline.setOverview(overview, version, restored);
    const notes = readNotes(overview.notes);
    this.shell.notes.replaceChildren(...notes.map((n) => el("p", { text: n })));
    this.shell.notes.hidden = notes.length === 0;
    this.shell.status.textContent =
      `${formatCount(overview.sliceCount)} slices on ${overview.tracks.length} tracks, ${formatCount(overview.runCount)} runs` +
      (overview.live ? " (live)" : ` from ${formatBytes(overview.notes.byteLength)}`);
    this.shell.follow.hidden = !overview.live;
    if (this.state.tab !== "timeline") void this.renderTab();
    if (first && this.state.selection) void this.inspector.restoreSelection(this.state.selection);
    if (this.pendingHighlight) {
      const ref = this.pendingHighlight;
      this.pendingHighlight = undefined;
      this.highlight(ref);
    }
  }

  private failed(slot: TraceSlot, message: string): void {
    if (slot === "compare") {
      this.shell.views.get("compare")!.replaceChildren(
        el("p", {
          class: "open-error",
          attrs: { role: "alert" },
          text: `${this.sources.compare ? traceName(this.sources.compare) : "The other profile"} could not be read: ${message}`,
        }),
      );
      return;
    }
    this.shell.progress.hidden = true;
    const view = el(
      "div",
      { class: "open-error", attrs: { role: "alert" } },
      el("h1", { text: "This file is not a trace the profile viewer can read" }),
      el("p", { class: "error-message", text: message }),
      el("p", {
        class: "hint",
        text: "The viewer opens Chrome trace JSON: an array of events, or an object with a traceEvents array (onnxruntime's profile.json).",
      }),
    );
    this.shell.views.get("timeline")!.replaceChildren(view);
    document.body.dataset.ready = "true";
  }

  private drawn(version: number): void {
    if (!this.painted) {
      this.painted = true;
      performance.mark("edge-profile-first-paint");
      document.body.dataset.ready = "true";
    }
    const live = this.liveArrived;
    if (live && live.version >= 0 && version >= live.version && version === this.liveVersion) {
      this.shell.root.dataset.liveDrawn = String(live.iteration);
      this.lastLiveMs = performance.now() - live.at;
      this.liveArrived = undefined;
      this.channel.sendCommand(LiveDrawnCommand, { iterations: this.liveUndrawn });
      this.liveUndrawn = [];
    }
  }
  lastLiveMs?: number;

  private setFollow(follow: boolean): void {
    this.timeline.follow = follow;
    this.followChanged(follow);
    if (follow && this.overview) this.timeline.setOverview(this.overview, this.liveVersion || 0);
  }

  private followChanged(follow: boolean): void {
    this.state.followLive = follow;
    this.shell.follow.classList.toggle("on", follow);
    this.shell.root.dataset.follow = String(follow);
    this.save();
  }

  // ---- warm-up runs ----

  /** The warm-up runs the tables leave out of a slot's trace: the user's choice (main), else the default and why. */
  warmup(slot: TraceSlot): Warmup {
    const overview = slot === "main" ? this.overview : this.compareOverview;
    const runs = overview?.runCount ?? 0;
    const chosen = slot === "main" ? this.state.warmupRuns : undefined;
    if (chosen !== undefined) return { runs: clampSkipRuns(chosen, runs), reason: "user", runCount: runs };
    const source = this.sources[slot];
    const d = warmupDefault(runs, {
      reportWarmupRuns: source?.warmupRuns,
      // A run's profile.json (its folder holds the run's files) and a live run's kernels: written by the engine.
      engineWritten: source?.runDir !== undefined || source?.live === true || overview?.live === true,
    });
    return { ...d, runCount: runs };
  }

  private setWarmup(runs: number): void {
    this.state.warmupRuns = clampSkipRuns(runs, this.overview?.runCount ?? 0);
    this.save();
    void this.renderTab();
  }

  // ---- tabs --------------------------------------------------------------------------------------------------

  showTab(tab: Tab, save = true): void {
    this.state.tab = tab;
    for (const [t, b] of this.shell.tabs) b.setAttribute("aria-selected", String(t === tab));
    for (const [t, v] of this.shell.views) v.hidden = t !== tab;
    this.shell.root.dataset.tab = tab;
    this.shell.warmup.hidden = !(tab === "ops" || tab === "nodes" || tab === "iterations");
    if (save) this.save();
    if (tab === "timeline") {
      this.timeline.requestDraw();
      this.timeline.canvas.focus();
    } else void this.renderTab();
  }

  private renderSeq = 0;
  private async renderTab(): Promise<void> {
    const tab = this.state.tab ?? "timeline";
    if (tab === "timeline" || !this.overview) return;
    const seq = ++this.renderSeq;
    const sort = this.state.sort ?? { column: "totalUs", descending: true };
    const handlers: TableHandlers = {
      sort,
      filter: this.state.filter ?? "",
      onSort: (column) => {
        this.state.sort = nextSort(sort, column);
        this.save();
        void this.renderTab();
      },
      onNode: (row) => this.highlight({ node: row.key }),
      onRun: (row) => {
        this.showTab("timeline");
        this.timeline.setView({
          startUs: row.startUs - row.durationUs * 0.05,
          endUs: row.startUs + row.durationUs * 1.05,
        });
      },
    };
    const view = this.shell.views.get(tab)!;
    let content: HTMLElement;
    if (tab === "compare") {
      const skipRuns = { main: this.warmup("main").runs, compare: this.warmup("compare").runs };
      const c = this.compareOverview ? await this.client.query("compare", { skipRuns }) : undefined;
      const { main, compare } = this.sources;
      const labels: [string, string] | undefined = c
        ? [main ? traceName(main) : "this profile", compare ? traceName(compare) : "the compared profile"]
        : undefined;
      content = compareView(c, labels, handlers, () => this.channel.sendCommand(ChooseCompareCommand, {}));
    } else {
      const warmup = this.warmup("main");
      const t = await this.client.query("tables", { slot: "main", skipRuns: warmup.runs });
      const table =
        tab === "ops" ? opsView(t, handlers) : tab === "nodes" ? nodesView(t, handlers) : iterationsView(t, handlers);
      content = table;
      if (seq === this.renderSeq) this.shell.warmup.replaceChildren(warmupControl(warmup, (n) => this.setWarmup(n)));
    }
    if (seq === this.renderSeq) view.replaceChildren(content);
  }
}
