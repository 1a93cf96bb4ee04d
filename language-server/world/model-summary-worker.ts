// The model-summary worker thread: reads and summarizes models off the server's main thread, so a 2 GB model never
// holds up completion. Built as its own entry (dist/language-server/model-summary-worker.js). The client sends one
// read at a time and terminates the thread to stop one (model-summary-worker-client.ts).
import { parentPort } from "node:worker_threads";
import { summarizeModelFile } from "./model-summary";
import type { SummarizeRequestToWorker, SummarizeResponseFromWorker } from "./model-summary-protocol";

const port = parentPort;
if (!port) throw new Error("model-summary-worker: run me as a worker thread");

let queue: Promise<void> = Promise.resolve();
port.on("message", (request: SummarizeRequestToWorker) => {
  queue = queue.then(async () => {
    const result = await summarizeModelFile(request.path);
    const response: SummarizeResponseFromWorker = { id: request.id, result };
    port.postMessage(response);
  });
});
