// The profile viewer's worker (bundled on its own by scripts/build.mjs and started from a Blob of its text): reads
// each slot's trace from the host's chunks (trace-reader.ts), keeps the models, adds a live run's kernels, and answers
// the UI's queries (windows with level of detail, slices, tables, compare, range summaries). The UI thread never parses.
import type { TraceModel } from "../../../common/trace/trace-model";
import type { TraceSlot } from "../../protocol/profile";
import type { TraceOverview, TraceTables } from "../model/trace-views";
import { LiveTimeline } from "../../../common/trace/trace-live";
import { kernelsOfNode } from "../../../common/trace/trace-tables";
import { rangeSummary } from "../../../common/trace/trace-window";
import type { FromWorker, Queries, QueryKind, ToWorker } from "./messages";
import { counterSummaries, counterWindow, indexInstants, instantWindow, type InstantIndex } from "./marks-window";
import { TraceReader } from "./trace-reader";
import { compareOf, sliceInfo, tablesOf as tables, windowRects } from "./trace-views";

interface Slot {
  reader?: TraceReader;
  model?: TraceModel;
  version: number;
  tables?: { skipRuns: number; tables: TraceTables };
  live?: LiveTimeline;
  lastProgress: number;
}
const slots: Record<TraceSlot, Slot> = {
  main: { version: 0, lastProgress: 0 },
  compare: { version: 0, lastProgress: 0 },
};

function post(m: FromWorker): void {
  (self as unknown as { postMessage(m: FromWorker): void }).postMessage(m);
}

function overview(model: TraceModel, live: boolean): TraceOverview {
  return {
    tracks: model.tracks,
    startUs: model.startUs,
    endUs: model.endUs,
    sliceCount: model.slices.count,
    runCount: model.runs.length,
    notes: model.notes,
    live,
    counters: counterSummaries(model),
    instantTracks: [...instantsOf(model).keys()],
  };
}

/** The model's instants by track (built once per model). */
const instantIndexes = new WeakMap<TraceModel, InstantIndex>();
function instantsOf(model: TraceModel): InstantIndex {
  let index = instantIndexes.get(model);
  if (!index) instantIndexes.set(model, (index = indexInstants(model)));
  return index;
}

function setModel(slot: TraceSlot, model: TraceModel, live: boolean): void {
  const s = slots[slot];
  s.model = model;
  s.tables = undefined;
  s.version++;
  post({ type: "ready", slot, overview: overview(model, live), version: s.version });
}

function modelOf(slot: TraceSlot): TraceModel {
  const m = slots[slot].model;
  if (!m) throw new Error(`no ${slot} trace yet`);
  return m;
}

function tablesOf(slot: TraceSlot, skipRuns: number): TraceTables {
  const s = slots[slot];
  if (s.tables?.skipRuns !== skipRuns) s.tables = { skipRuns, tables: tables(modelOf(slot), skipRuns) };
  return s.tables.tables;
}

const answer: { [K in QueryKind]: (p: Queries[K]["params"]) => Queries[K]["result"] } = {
  window: (p) => {
    const model = modelOf(p.slot);
    return {
      startUs: p.startUs,
      endUs: p.endUs,
      usPerPx: p.usPerPx,
      version: slots[p.slot].version,
      tracks: model.tracks.map((t) => windowRects(model, t.id, p.startUs, p.endUs, p.usPerPx)),
      instants: [...instantsOf(model).keys()].map((track) =>
        instantWindow(model, instantsOf(model), track, p.startUs, p.endUs, p.usPerPx),
      ),
      counters: model.counters.map((c, i) => counterWindow(c, i, p.startUs, p.endUs, p.usPerPx)),
    };
  },
  slice: (p) => sliceInfo(modelOf(p.slot), p.index),
  tables: (p) => tablesOf(p.slot, p.skipRuns),
  compare: (p) =>
    slots.main.model && slots.compare.model
      ? compareOf(slots.main.model, slots.compare.model, p.skipRuns.main, p.skipRuns.compare)
      : undefined,
  range: (p) => rangeSummary(modelOf(p.slot), p.startUs, p.endUs),
  nodeKernels: (p) => {
    const m = modelOf(p.slot);
    return [...kernelsOfNode(m, p.node)].sort((a, b) => m.slices.startUs[a] - m.slices.startUs[b]);
  },
  findSlice: (p) => {
    const m = modelOf(p.slot);
    const t = m.tracks[p.track];
    if (!t) return -1;
    for (let i = t.first; i < t.first + t.count; i++)
      if (m.slices.startUs[i] === p.startUs && m.strings[m.slices.name[i]] === p.name) return i;
    return -1;
  },
};

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === "query") {
    try {
      const result = (answer[m.kind] as (p: unknown) => unknown)(m.params);
      post({ type: "reply", id: m.id, result });
    } catch (e) {
      post({ type: "error", id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (m.type === "live") {
    const s = slots.main;
    s.live ??= new LiveTimeline();
    setModel("main", s.live.append(m.kernels), true);
    return;
  }
  const s = slots[m.slot];
  if (m.type === "reset") {
    s.reader = undefined;
    return;
  }
  if (m.type === "chunk") {
    s.reader ??= new TraceReader();
    s.reader.write(m.bytes);
    post({ type: "consumed", slot: m.slot, bytes: s.reader.bytes });
    const now = performance.now();
    if (now - s.lastProgress > 50) {
      s.lastProgress = now;
      post({ type: "progress", slot: m.slot, bytes: s.reader.bytes, events: s.reader.events });
    }
    return;
  }
  // end
  const reader = s.reader ?? new TraceReader();
  s.reader = undefined;
  const result = reader.end(m.error);
  if ("failed" in result) {
    post({ type: "failed", slot: m.slot, message: result.failed });
    return;
  }
  s.live = undefined;
  setModel(m.slot, result.model, false);
};
