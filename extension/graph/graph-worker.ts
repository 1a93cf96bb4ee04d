// The graph worker thread: reads a model with the engine (engine/graph) off the extension host's thread, so a 2 GB
// model never holds up the editor. Bundled as its own entry (dist/extension/graph-worker.cjs, scripts/build.mjs);
// graph-worker-client.ts starts one per open model document and terminates it when the document's last editor closes.
import { parentPort } from "node:worker_threads";
import { diffModelGraphs } from "../../common/graph/diff";
import { openModelGraph, readRunOverlays } from "../../engine/graph/index";
import { GraphWorkerCore } from "./graph-worker-core";
import type { GraphWorkerRequest } from "./graph-worker-protocol";

const port = parentPort;
if (!port) throw new Error("graph-worker: run me as a worker thread");

const core = new GraphWorkerCore({ openModelGraph: (file) => openModelGraph(file), readRunOverlays, diffModelGraphs });
port.on("message", (request: GraphWorkerRequest) => {
  void core.handle(request).then((response) => port.postMessage(response));
});
