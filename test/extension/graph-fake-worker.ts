// A graph worker thread for graph-worker.test.ts: the real worker's core (extension/graph/graph-worker-core.ts) over a
// fake engine, so the client's thread handling is tested without reading models. "crash.onnx" ends the thread.
import { parentPort } from "node:worker_threads";
import { EdgeError } from "../../engine/errors";
import { GraphWorkerCore } from "../../extension/graph/graph-worker-core";
import type { GraphWorkerRequest } from "../../extension/graph/graph-worker-protocol";
import { fakeEngine } from "./graph-fakes";

const port = parentPort!;
const core = new GraphWorkerCore({
  ...fakeEngine([]),
  openModelGraph: async (file) => {
    if (file.endsWith("crash.onnx")) process.exit(3);
    if (file.endsWith("bad.onnx"))
      throw new EdgeError("model/invalid", "truncated protobuf", { where: { file, offset: 1234 }, hint: "re-export" });
    return fakeEngine([]).openModelGraph(file);
  },
});
port.on("message", (request: GraphWorkerRequest) => void core.handle(request).then((r) => port.postMessage(r)));
