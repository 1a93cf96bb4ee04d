// The timeline's colours: the graph viewer's reading of VS Code's theme variables (webviews/ui/theme.ts,
// re-read when the body's class changes), plus a palette of chart colours for slices (op types) and a few mixes of
// them so that neighbouring op types rarely share one.
import { readTheme, watchTheme, type GraphTheme } from "../../ui/theme";
import { PALETTE_SIZE } from "./palette-size";
import { mix } from "./slice-colours";

export interface TimelineTheme {
  kind: GraphTheme["kind"];
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  focus: string;
  selectionFill: string;
  highlight: string;
  merged: string;
  palette: string[];
  fontFamily: string;
}

export function timelineTheme(): TimelineTheme {
  const t = readTheme();
  const base = [...t.partitions, t.problem];
  const palette = [...base, ...base.map((c) => mix(c, t.background, 0.35))].slice(0, PALETTE_SIZE);
  return {
    kind: t.kind,
    background: t.background,
    foreground: t.foreground,
    muted: t.muted,
    grid: t.frame,
    focus: t.focus,
    selectionFill: t.selectionFill,
    highlight: t.changed,
    merged: t.edge,
    palette,
    fontFamily: t.fontFamily,
  };
}

export function watchTimelineTheme(onChange: (theme: TimelineTheme) => void): () => void {
  return watchTheme(() => onChange(timelineTheme()));
}
