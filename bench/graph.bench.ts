// The graph layout (common/graph/layout/) against dagre 0.8.5 and elkjs 0.12.1 (layered), on synthetic
// transformer-shaped graphs (test/fixtures/graphs/): "plain" (blocks joined by the residual stream) and "mask" (one
// attention mask and one rotary cos/sin pair feed every layer: the long edges that multiply a layered layout's dummy
// nodes). Every layout runs in a fresh child process (`--child`), one cold run timed around the layout call alone;
// the baselines get a large stack (`ulimit -s` raised, `node --stack-size`) and a time limit, a timeout is reported
// as such and the ratio is then a lower bound. Ours is compared flat (no grouping, everything at the top level, as
// the baselines see it); the grouped figures (the first view, and every group open) are printed beside it. Each
// layout's quality is counted: overlapping boxes and edges against the layer direction, and up to 3,000 nodes the
// crossings of the edge routes (counted the same way for every engine: proper crossings of route segments); ours
// also reports the crossings its layered core left between adjacent layers (`stats.crossings`).
// The 100,000-node case runs ours in a worker_thread with the default stack, on a real LM export made by scripts/lm
// (2,702 decoder layers of 37 nodes with a tiny hidden size, cached in bench/.work/graph/) read by the engine
// (engine/graph openModelGraph, in the worker, not timed), and on the synthetic generators of that size.
// Ends with one line `graph: <figures> (goal <goals>)`.
// Usage: npm run bench:graph [-- --quick]   (--quick: no dagre at 10,000 nodes, shorter limits)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ElkExtendedEdge } from "elkjs/lib/elk-api";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { layoutModelGraph, type LayoutOptions } from "../common/graph/layout/index";
import { estimateText } from "../common/graph/layout/model-layout";
import { openModelGraph } from "../engine/graph/index";
import { buildDecoderLm } from "../scripts/lm/decoder-graph";
import { randomDecoderLm } from "../scripts/lm/random-weights";
import type { ModelGraph } from "../common/graph/model-graph";
import type { GraphScene, SceneEdge, SceneNode } from "../common/graph/scene";
import { cnnGraph } from "../test/fixtures/graphs/cnn-graph";
import { routeCrossings, sceneQuality, type SceneQuality } from "../test/fixtures/graphs/scene-checks";
import { transformerGraph } from "../test/fixtures/graphs/transformer-graph";

type Engine = "ours-flat" | "ours-grouped" | "ours-all" | "dagre" | "elk";
type Shape = "plain" | "mask" | "cnn";

interface Result {
  engine: Engine;
  shape: Shape;
  nodes: number;
  ms?: number;
  quality?: SceneQuality;
  /** Proper crossings of the edge routes (graphs up to CROSSINGS_MAX_NODES; absent when too costly). */
  routeCrossings?: number;
  timeout?: boolean;
  error?: string;
  /** Ours: the scene's stats. */
  stats?: GraphScene["stats"];
  /** Ours: warm runs after the cold one (median). */
  warmMs?: number;
}

const CROSSINGS_MAX_NODES = 3500;
const crossingsOf = (scene: GraphScene, nodes: number) =>
  nodes <= CROSSINGS_MAX_NODES ? routeCrossings(scene) : undefined;

const makeGraph = (shape: Shape, nodes: number): ModelGraph =>
  shape === "cnn" ? cnnGraph({ nodes }) : transformerGraph({ nodes, shape });

// ---- The flat graph the baselines get: the boxes and merged edges of our flat scene, with the same sizes. ----

interface FlatGraph {
  nodes: { id: string; width: number; height: number }[];
  edges: { from: string; to: string }[];
}

function flatGraph(graph: ModelGraph): FlatGraph {
  // The scene's ids, sizes and merged edges are what the baselines lay out (ours computes them the same way).
  const scene = layoutModelGraph(graph, { expanded: "all", grouping: false, measureText: estimateText });
  return {
    nodes: scene.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: scene.edges.map((e) => ({ from: e.from, to: e.to })),
  };
}

function sceneOf(nodes: SceneNode[], edges: SceneEdge[]): GraphScene {
  return {
    direction: "TB",
    nodes,
    edges,
    width: 0,
    height: 0,
    stats: { layers: 0, backEdges: 0, dummyNodes: 0, groupsLaidOut: 0, groupsReused: 0 },
  };
}
const box = (id: string, x: number, y: number, width: number, height: number): SceneNode => ({
  id,
  kind: "node",
  index: 0,
  x,
  y,
  width,
  height,
  label: "",
});
const edge = (from: string, to: string, points: number[]): SceneEdge => ({
  from,
  to,
  tensor: 0,
  tensorCount: 1,
  points,
});

async function runChild(engine: Engine, shape: Shape, nodes: number): Promise<Result> {
  const graph = makeGraph(shape, nodes);
  const result: Result = { engine, shape, nodes: graph.nodes.length };
  if (engine.startsWith("ours")) {
    const options: LayoutOptions =
      engine === "ours-flat" ? { expanded: "all", grouping: false } : engine === "ours-all" ? { expanded: "all" } : {};
    let t0 = performance.now();
    const scene = layoutModelGraph(graph, options);
    result.ms = performance.now() - t0;
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      layoutModelGraph(graph, options);
      warm.push(performance.now() - t0);
    }
    result.warmMs = warm.sort((a, b) => a - b)[1];
    result.quality = sceneQuality(scene);
    result.routeCrossings = crossingsOf(scene, result.nodes);
    result.stats = scene.stats;
    return result;
  }
  const flat = flatGraph(graph);
  result.nodes = graph.nodes.length;
  if (engine === "dagre") {
    const dagre = (await import("dagre")).default;
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 40 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of flat.nodes) g.setNode(n.id, { width: n.width, height: n.height });
    for (const e of flat.edges) g.setEdge(e.from, e.to);
    const t0 = performance.now();
    dagre.layout(g);
    result.ms = performance.now() - t0;
    const boxes = flat.nodes.map((n) => {
      const p = g.node(n.id);
      return box(n.id, p.x - n.width / 2, p.y - n.height / 2, n.width, n.height);
    });
    const routes = flat.edges.map((e) =>
      edge(
        e.from,
        e.to,
        g.edge(e.from, e.to).points.flatMap((p) => [p.x, p.y]),
      ),
    );
    result.quality = sceneQuality(sceneOf(boxes, routes));
    result.routeCrossings = crossingsOf(sceneOf(boxes, routes), result.nodes);
  } else {
    const ELK = (await import("elkjs/lib/elk.bundled.js")).default;
    const elk = new ELK();
    const input = {
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "DOWN",
        "elk.spacing.nodeNode": "24",
        "elk.layered.spacing.nodeNodeBetweenLayers": "40",
      },
      children: flat.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
      edges: flat.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
    };
    const t0 = performance.now();
    const out = await elk.layout(input);
    result.ms = performance.now() - t0;
    const boxes = (out.children ?? []).map((c) => box(c.id, c.x ?? 0, c.y ?? 0, c.width ?? 0, c.height ?? 0));
    const routes = ((out.edges ?? []) as ElkExtendedEdge[]).map((e, i) => {
      const s = e.sections?.[0];
      const pts = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].flatMap((p) => [p.x, p.y]) : [];
      return edge(flat.edges[i].from, flat.edges[i].to, pts);
    });
    result.quality = sceneQuality(sceneOf(boxes, routes));
    result.routeCrossings = crossingsOf(sceneOf(boxes, routes), result.nodes);
  }
  return result;
}

// ---- The parent: child processes with limits, a worker for 100,000 nodes, the table. ----

const STACK_KB = 1_900_000;

function spawnLayout(engine: Engine, shape: Shape, nodes: number, limitS: number): Result {
  const baseline = engine === "dagre" || engine === "elk";
  const args = ["--import", "tsx", ...(baseline ? [`--stack-size=${STACK_KB}`, "--max-old-space-size=6144"] : [])];
  const command = [process.execPath, ...args, import.meta.filename, "--child", engine, shape, String(nodes)]
    .map((a) => `'${a}'`)
    .join(" ");
  // The stack of the main thread grows up to `ulimit -s`: raise it above --stack-size for the baselines.
  const out = spawnSync("sh", ["-c", `${baseline ? "ulimit -s 2097152 && " : ""}exec ${command}`], {
    encoding: "utf8",
    timeout: limitS * 1000,
    killSignal: "SIGKILL",
    maxBuffer: 1 << 24,
  });
  if (out.error && (out.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    return { engine, shape, nodes, timeout: true, ms: limitS * 1000 };
  }
  const line = out.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Result;
  } catch {
    const why = (out.stderr || out.stdout).trim().split("\n").slice(-3).join(" | ").slice(0, 300);
    return {
      engine,
      shape,
      nodes,
      error: out.signal ? `killed by ${out.signal}: ${why}` : why || `exit ${out.status}`,
    };
  }
}

const LM_FILE = resolve("bench/.work/graph/lm-100k/model.onnx");
const LM_CONFIG = { layers: 2702, hidden: 8, heads: 2, vocab: 16, mlp: 16, context: 16 };

interface WorkerResult {
  ms: number;
  quality: SceneQuality;
  stats: GraphScene["stats"];
  nodes: number;
}

function inWorker(shape: Shape | "lm", nodes: number, options: LayoutOptions): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    // tsx's loader is not inherited by workers: the worker registers it, then loads this file.
    const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { shape, nodes, options } });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

function workerMain(): void {
  const { shape, nodes, options } = workerData as { shape: Shape | "lm"; nodes: number; options: LayoutOptions };
  const graphReady =
    shape === "lm"
      ? openModelGraph(LM_FILE).then(async (opened) => (await opened.close(), opened.document.graph))
      : Promise.resolve(makeGraph(shape, nodes));
  void graphReady.then((graph) => {
    const t0 = performance.now();
    const scene = layoutModelGraph(graph, options);
    const ms = performance.now() - t0;
    parentPort?.postMessage({ ms, quality: sceneQuality(scene), stats: scene.stats, nodes: graph.nodes.length });
  });
}

const fmtMs = (r: Result | undefined) =>
  !r
    ? "—"
    : r.timeout
      ? `> ${(r.ms ?? 0) / 1000} s (timeout)`
      : r.error
        ? `failed`
        : `${((r.ms ?? 0) / 1000).toFixed(3)} s`;
const fmtQ = (q: SceneQuality | undefined) =>
  q
    ? `overlaps ${q.overlaps}, against ${q.againstDirection}, back ${q.back}, detached ${q.detached + q.badRoutes}`
    : "";

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const rows: Result[] = [];
  const run = (engine: Engine, shape: Shape, nodes: number, limitS = 60) => {
    const r = spawnLayout(engine, shape, nodes, limitS);
    rows.push(r);
    const extra = r.stats ? ` [warm ${((r.warmMs ?? 0) / 1000).toFixed(3)} s; ${JSON.stringify(r.stats)}]` : "";
    const err = r.error ? ` (${r.error})` : "";
    const crossings = r.routeCrossings !== undefined ? `, route crossings ${r.routeCrossings}` : "";
    console.log(
      `${shape.padEnd(5)} ${String(r.nodes).padStart(6)} ${r.engine.padEnd(12)} ${fmtMs(r).padEnd(22)} ${fmtQ(r.quality)}${crossings}${extra}${err}`,
    );
    return r;
  };
  const ratio = (base: Result, ours: Result) => {
    if (base.error || !base.ms || !ours.ms) return { text: "n/a", value: NaN };
    const value = base.ms / ours.ms;
    return { text: `${base.timeout ? "≥ " : ""}${value.toFixed(1)}×`, value };
  };

  console.log("shape  nodes engine       time                   quality");
  const byKey = new Map<string, Result>();
  const keep = (r: Result) => byKey.set(`${r.engine}/${r.shape}/${r.nodes < 1500 ? 1 : r.nodes < 5000 ? 3 : 10}`, r);
  for (const nodes of [1000, 3000, 10000]) {
    for (const engine of ["ours-flat", "ours-grouped", "ours-all"] as Engine[]) keep(run(engine, "plain", nodes));
    if (nodes < 10000 || !quick) keep(run("dagre", "plain", nodes, nodes >= 10000 ? 60 : 180));
    keep(run("elk", "plain", nodes, 120));
  }
  for (const nodes of [1000, 10000]) {
    for (const engine of ["ours-flat", "ours-grouped", "ours-all"] as Engine[]) keep(run(engine, "mask", nodes));
    if (nodes === 1000) {
      keep(run("elk", "mask", nodes, 120));
      keep(run("dagre", "mask", nodes, 120));
    }
  }
  for (const engine of ["ours-flat", "ours-all"] as Engine[]) run(engine, "cnn", 3000);

  console.log("\n100,000 nodes in a worker_thread (default stack):");
  if (!existsSync(LM_FILE)) {
    mkdirSync(dirname(LM_FILE), { recursive: true });
    await buildDecoderLm(LM_CONFIG, randomDecoderLm(LM_CONFIG, 1, { reuseBuffer: true }), LM_FILE, {
      externalData: false,
    });
  }
  const big: Record<string, number> = {};
  const bad100k: number[] = [];
  for (const shape of ["lm", "plain", "mask"] as (Shape | "lm")[]) {
    for (const [label, options] of [
      ["flat", { expanded: "all", grouping: false }],
      ["all groups open", { expanded: "all" }],
    ] as [string, LayoutOptions][]) {
      const r = await inWorker(shape, 100_000, options);
      big[`${shape}/${label}`] = r.ms;
      bad100k.push(r.quality.overlaps + r.quality.againstDirection + r.quality.detached + r.quality.badRoutes);
      const name = shape === "lm" ? "real LM (scripts/lm)" : `synthetic ${shape}`;
      console.log(
        `${name.padEnd(20)} ${r.nodes} ${label.padEnd(16)} ${(r.ms / 1000).toFixed(3)} s  ${fmtQ(r.quality)} ${JSON.stringify(r.stats)}`,
      );
    }
  }

  const get = (k: string) => byKey.get(k) as Result;
  const d3 = ratio(get("dagre/plain/3"), get("ours-flat/plain/3"));
  const e10 = ratio(get("elk/plain/10"), get("ours-flat/plain/10"));
  const m1 = ratio(get("elk/mask/1"), get("ours-flat/mask/1"));
  const m10 = Math.max(get("ours-flat/mask/10").ms ?? Infinity, get("ours-all/mask/10").ms ?? Infinity) / 1000;
  const worst100k = Math.max(big["lm/flat"], big["lm/all groups open"]) / 1000;
  const bad = rows
    .filter((r) => r.engine.startsWith("ours") && r.quality)
    .reduce(
      (s, r) => {
        const q = r.quality as SceneQuality;
        return s + q.overlaps + q.againstDirection + q.detached + q.badRoutes;
      },
      bad100k.reduce((a, b) => a + b, 0),
    );
  console.log("\nratios (cold runs, same machine, same run):");
  console.log(
    `  plain 1,000: dagre/ours ${ratio(get("dagre/plain/1"), get("ours-flat/plain/1")).text}, elk/ours ${ratio(get("elk/plain/1"), get("ours-flat/plain/1")).text}`,
  );
  console.log(
    `  plain 3,000: dagre/ours ${d3.text}, elk/ours ${ratio(get("elk/plain/3"), get("ours-flat/plain/3")).text}`,
  );
  console.log(
    `  plain 10,000: elk/ours ${e10.text}${byKey.has("dagre/plain/10") ? `, dagre/ours ${ratio(get("dagre/plain/10"), get("ours-flat/plain/10")).text}` : ""}`,
  );
  console.log(
    `  mask 1,000: elk/ours ${m1.text}, dagre/ours ${ratio(get("dagre/mask/1"), get("ours-flat/mask/1")).text}`,
  );
  const crossingsAt = (engine: Engine, shape: Shape) => byKey.get(`${engine}/${shape}/1`)?.routeCrossings ?? "n/a";
  for (const shape of ["plain", "mask"] as Shape[])
    console.log(
      `  ${shape} 1,000 route crossings: ours ${crossingsAt("ours-flat", shape)} (core ${byKey.get(`ours-flat/${shape}/1`)?.stats?.crossings ?? "n/a"}), dagre ${crossingsAt("dagre", shape)}, elk ${crossingsAt("elk", shape)}`,
    );
  console.log(
    `graph: 3k ${d3.text} dagre, 10k ${e10.text} elk, mask 1k ${m1.text} elk, mask 10k ${m10.toFixed(2)} s, real LM 100k ${worst100k.toFixed(2)} s in a worker, ${bad} overlaps/against-direction edges ` +
      `(goal ≥ 50×, ≥ 10×, ≥ 10×, ≤ 3 s, ≤ 3 s, 0)`,
  );
}

if (!isMainThread) workerMain();
else if (process.argv[2] === "--child") {
  const [engine, shape, nodes] = process.argv.slice(3) as [Engine, Shape, string];
  runChild(engine, shape, Number(nodes)).then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => console.log(JSON.stringify({ engine, shape, nodes: Number(nodes), error: String(e) })),
  );
} else await main();
