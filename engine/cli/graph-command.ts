// `edge graph MODEL [--run DIR] [--overlay latency|partitions|quant-error] [--expand all|SCOPE]... [--direction TB|LR]
// (--svg OUT | --png OUT) [--json]`: the model's graph laid out headless (the graph viewer's layout) and written as
// SVG or PNG, optionally coloured by a run's measurements; --json prints the compact graph document on stdout.
// Errors are thrown as EdgeError for the dispatcher (a model that cannot be read: its code, file and byte offset).
import { resolve } from "node:path";
import { layoutModelGraph } from "../../common/graph/layout";
import type { GraphOverlays, OverlayKind } from "../../common/graph/overlays";
import { EdgeError, exitCodes } from "../errors";
import type { SourceFile } from "../fs/protect-sources";
import { openModelGraph, readRunOverlays, renderGraphSvg, writeGraphImage } from "../graph";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const GRAPH_USAGE =
  "edge graph MODEL [--run DIR] [--overlay latency|partitions|quant-error] [--expand all|SCOPE]... [--direction TB|LR] (--svg OUT | --png OUT) [--json]";

const overlayNames: Record<string, OverlayKind> = {
  latency: "latency",
  partitions: "partitions",
  "quant-error": "quantError",
};

function usage(message: string): EdgeError {
  return new EdgeError("cli/usage", `edge graph: ${message}`, {}, `usage: ${GRAPH_USAGE}`);
}

/** The overlay to draw: the one asked for (it must be in the run), else the first the run has. */
function pickOverlay(overlays: GraphOverlays, asked: OverlayKind | undefined): OverlayKind | undefined {
  if (asked) {
    if (!overlays[asked])
      throw new EdgeError(
        "cli/usage",
        `edge graph: the run ${overlays.runDir} has no ${asked === "quantError" ? "quant-error" : asked} overlay`,
        {},
        overlays.notes.length > 0 ? overlays.notes.join("; ") : "the run did not write the file it comes from",
      );
    return asked;
  }
  return (["latency", "partitions", "quantError"] as const).find((k) => overlays[k]);
}

export async function graphCommand(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    {
      run: "string",
      overlay: "string",
      expand: "string[]",
      direction: "string",
      svg: "string",
      png: "string",
      json: "boolean",
    },
    "graph",
  );
  if (positionals.length !== 1) throw usage(`expected one MODEL, got ${positionals.length}`);
  const svgOut = flags.svg as string | undefined;
  const pngOut = flags.png as string | undefined;
  if (svgOut !== undefined && pngOut !== undefined) throw usage("give --svg or --png, not both");
  if (svgOut === undefined && pngOut === undefined && !flags.json) throw usage("give --svg OUT, --png OUT or --json");
  const direction = (flags.direction as string | undefined) ?? "TB";
  if (direction !== "TB" && direction !== "LR") throw usage(`--direction is TB or LR, not "${direction}"`);
  const overlayFlag = flags.overlay as string | undefined;
  if (overlayFlag !== undefined && !(overlayFlag in overlayNames))
    throw usage(`--overlay is latency, partitions or quant-error, not "${overlayFlag}"`);
  if (overlayFlag !== undefined && flags.run === undefined) throw usage("--overlay needs --run DIR");
  const expandList = (flags.expand as string[] | undefined) ?? [];
  const expanded = expandList.includes("all") ? ("all" as const) : new Set(expandList);

  const opened = await openModelGraph(resolve(io.cwd, positionals[0]), { signal });
  try {
    const { document } = opened;
    if (flags.json) io.stdout(`${JSON.stringify(document)}\n`);
    const out = svgOut ?? pngOut;
    if (out === undefined) return exitCodes.ok;

    let overlays: GraphOverlays | undefined;
    let overlay: OverlayKind | undefined;
    if (flags.run !== undefined) {
      overlays = await readRunOverlays(resolve(io.cwd, flags.run as string));
      for (const note of overlays.notes) io.stderr(`edge graph: ${note}\n`);
      overlay = pickOverlay(overlays, overlayFlag ? overlayNames[overlayFlag] : undefined);
    }
    signal?.throwIfAborted();
    const scene = layoutModelGraph(document.graph, { direction, expanded });
    signal?.throwIfAborted();
    const svg = renderGraphSvg(document, scene, overlays, { overlay });
    const sources: SourceFile[] = [
      { path: document.path, role: "the source model" },
      ...(document.external?.files ?? []).map((path) => ({
        path,
        role: "the source model's external data file",
      })),
    ];
    const target = resolve(io.cwd, out);
    const png = await writeGraphImage(target, svg, { format: pngOut !== undefined ? "png" : "svg", sources });
    const size = png
      ? `${png.width}×${png.height} px${png.zoom < 2 ? `, scaled to ${(png.zoom * 100).toFixed(0)} % to stay within the PNG size limit` : ""}`
      : `${Math.round(scene.width)}×${Math.round(scene.height)}`;
    io.stderr(
      `edge graph: wrote ${target} (${document.graph.nodes.length} nodes, ${scene.nodes.length} boxes, ${size}${overlay ? `, ${overlay} overlay` : ""})\n`,
    );
    return exitCodes.ok;
  } finally {
    await opened.close();
  }
}
