// The worker's answers, cut from a TraceModel with common/trace's queries: a window's boxes (trace-window.ts's
// level of detail) with their colours and labels for drawing, the tables (trace-tables.ts) and a slice's facts.
import type { TraceModel } from "../../../common/trace/trace-model";
import { compareTraces, iterationTable, kernelTables } from "../../../common/trace/trace-tables";
import { queryWindow } from "../../../common/trace/trace-window";
import type { CompareTables, SliceInfo, TraceTables, WindowRects } from "../model/trace-views";
import { PALETTE_SIZE } from "../view/palette-size";
import { colourIndex } from "../view/slice-colours";

/** Track `track`'s boxes in [startUs, endUs], slices under `usPerPx` merged; coloured by op type (else name). */
export function windowRects(
  model: TraceModel,
  track: number,
  startUs: number,
  endUs: number,
  usPerPx: number,
): WindowRects {
  const b = queryWindow(model, track, startUs, endUs, usPerPx);
  const s = model.slices;
  const colours = new Map<number, number>();
  const colour = new Uint8Array(b.count);
  const names: string[] = new Array<string>(b.count);
  for (let k = 0; k < b.count; k++) {
    const i = b.slice[k];
    names[k] = i >= 0 ? model.strings[s.name[i]] : "";
    const key = i >= 0 ? (s.opType[i] >= 0 ? s.opType[i] : s.name[i]) : -1;
    let c = colours.get(key);
    if (c === undefined) colours.set(key, (c = key >= 0 ? colourIndex(model.strings[key], PALETTE_SIZE) : 0));
    colour[k] = c;
  }
  return {
    track,
    count: b.count,
    startUs: Float64Array.from(b.startUs),
    endUs: Float64Array.from(b.endUs),
    depth: Uint16Array.from(b.depth),
    slice: Int32Array.from(b.slice),
    merged: Int32Array.from(b.members),
    colour,
    names,
  };
}

/** The tables without the first `skipRuns` model_runs (the warm-up; clamped to the trace's runs). */
export function tablesOf(model: TraceModel, skipRuns = 0): TraceTables {
  const k = kernelTables(model, { skipRuns });
  return {
    kernelTotalUs: k.kernelUs,
    runs: k.runsInTrace,
    skipRuns: k.runsInTrace - k.runsMeasured,
    ops: k.opTypes,
    nodes: k.nodes,
    iterations: iterationTable(model, { skipRuns }).rows,
  };
}

/** Per op type and node, each trace without its own warm-up runs. */
export function compareOf(before: TraceModel, after: TraceModel, skipBefore = 0, skipAfter = 0): CompareTables {
  const c = compareTraces(before, after, { skipRuns: skipBefore }, { skipRuns: skipAfter });
  return { ops: c.opTypes, nodes: c.nodes, runs: [c.before.runs, c.after.runs] };
}

export function sliceInfo(m: TraceModel, i: number): SliceInfo | undefined {
  const s = m.slices;
  if (i < 0 || i >= s.count) return undefined;
  const str = (k: number) => (k >= 0 ? m.strings[k] : undefined);
  return {
    index: i,
    name: m.strings[s.name[i]],
    category: str(s.category[i]),
    kind: s.kind[i],
    track: s.track[i],
    depth: s.depth[i],
    startUs: s.startUs[i],
    durationUs: s.durationUs[i],
    opType: str(s.opType[i]),
    provider: str(s.provider[i]),
    run: s.run[i],
    byteOffset: s.byteOffset[i],
  };
}
