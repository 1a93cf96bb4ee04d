// A laid-out graph as an image file for `edge graph`: SVG text (common/graph/svg.ts), or PNG rendered from it with
// resvg (WebAssembly; the DejaVu Sans font is given to it, system fonts are not read, so the picture is the same on
// every machine). A PNG is drawn at 2× and scaled down to stay within MAX_PNG_SIDE per side and MAX_PNG_PIXELS in
// all. The file is written atomically and never over the model or its external data. The .wasm and the font are
// found beside the CLI bundle (dist/engine/, copied there by scripts/build.mjs) or, from source, in node_modules.
import { existsSync, promises as fs } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelGraphDocument } from "../../common/graph/model-graph";
import type { GraphOverlays, OverlayKind } from "../../common/graph/overlays";
import type { GraphScene } from "../../common/graph/scene";
import { sceneToSvg, type SvgTheme } from "../../common/graph/svg";
import type * as ResvgWasm from "@resvg/resvg-wasm";
import { EdgeError } from "../errors";
import { writeFileAtomic } from "../fs/atomic";
import { refuseWritingOverSources, type SourceFile } from "../fs/protect-sources";

export const MAX_PNG_SIDE = 16_384;
export const MAX_PNG_PIXELS = 64_000_000;
const PNG_ZOOM = 2;

/** The runtime files PNG rendering needs, by the name they have beside the CLI bundle. */
export const PNG_ASSETS = {
  wasm: { bundled: "resvg.wasm", module: "@resvg/resvg-wasm/index_bg.wasm" },
  font: { bundled: "DejaVuSans.ttf", module: "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" },
} as const;

/** Where an asset is: beside the bundle (dist/engine/) when running built, else in node_modules. */
export function assetPath(asset: keyof typeof PNG_ASSETS, moduleUrl: string = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  const beside = join(dirname(here), PNG_ASSETS[asset].bundled);
  if (!here.endsWith(".ts") && existsSync(beside)) return beside;
  try {
    return createRequire(moduleUrl).resolve(PNG_ASSETS[asset].module);
  } catch (e) {
    throw new EdgeError(
      "internal/bug",
      `edge graph --png: cannot find ${PNG_ASSETS[asset].bundled} (looked beside ${here} and for ${PNG_ASSETS[asset].module})`,
      { hint: "rebuild (npm run build) or reinstall; --svg needs no extra files", cause: e },
    );
  }
}

export interface GraphImageOptions {
  overlays?: GraphOverlays;
  overlay?: OverlayKind;
  theme?: SvgTheme;
}

/** The SVG text of a laid-out model graph. */
export function renderGraphSvg(
  document: ModelGraphDocument,
  scene: GraphScene,
  overlays?: GraphOverlays,
  options: Omit<GraphImageOptions, "overlays"> = {},
): string {
  return sceneToSvg(scene, document.graph, { overlays, overlay: options.overlay, theme: options.theme });
}

let wasmReady: Promise<typeof ResvgWasm> | undefined;

async function resvg(): Promise<typeof ResvgWasm> {
  wasmReady ??= (async () => {
    const module = await import("@resvg/resvg-wasm");
    await module.initWasm(await fs.readFile(assetPath("wasm")));
    return module;
  })();
  wasmReady.catch(() => (wasmReady = undefined));
  return wasmReady;
}

export interface PngResult {
  png: Uint8Array;
  width: number;
  height: number;
  /** The zoom used (below PNG_ZOOM when the picture was scaled down to fit the limits). */
  zoom: number;
}

/** Renders SVG text as a PNG of an SVG `width`×`height` (in SVG units). */
export async function svgToPng(svg: string, width: number, height: number): Promise<PngResult> {
  const { Resvg } = await resvg();
  const font = new Uint8Array(await fs.readFile(assetPath("font")));
  const zoom = Math.min(
    PNG_ZOOM,
    MAX_PNG_SIDE / Math.max(1, width),
    MAX_PNG_SIDE / Math.max(1, height),
    Math.sqrt(MAX_PNG_PIXELS / Math.max(1, width * height)),
  );
  const renderer = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    fitTo: { mode: "zoom", value: zoom },
  });
  try {
    const image = renderer.render();
    const png = image.asPng();
    const result = { png, width: image.width, height: image.height, zoom };
    image.free();
    return result;
  } finally {
    renderer.free();
  }
}

/** The size an SVG from sceneToSvg declares. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"\s+height="([\d.]+)"/.exec(svg);
  return { width: m ? Number(m[1]) : 0, height: m ? Number(m[2]) : 0 };
}

/**
 * Writes the SVG, or the PNG rendered from it, to `out` (atomically), refusing to write over `sources`.
 * Returns the PNG's size and zoom for a PNG.
 */
export async function writeGraphImage(
  out: string,
  svg: string,
  options: { format: "svg" | "png"; sources: readonly SourceFile[] },
): Promise<PngResult | undefined> {
  const target = resolve(out);
  await refuseWritingOverSources(options.sources, [target]);
  if (options.format === "svg") {
    await writeFileAtomic(target, svg);
    return undefined;
  }
  const { width, height } = svgSize(svg);
  const result = await svgToPng(svg, width, height);
  await writeFileAtomic(target, result.png);
  return result;
}
