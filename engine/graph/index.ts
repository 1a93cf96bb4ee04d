// The graph module's public surface (the extension host's graph worker and `edge graph` use it): open a model as a
// compact graph with node details on request, read a run folder's overlays and models, and render a laid-out
// graph as SVG or PNG.
export { openModelGraph, type OpenedModelGraph, type OpenModelGraphOptions } from "./open-model-graph";
export { readRunOverlays, runModelFiles } from "./run-overlays";
export { renderGraphSvg, writeGraphImage, type GraphImageOptions } from "./render-image";
