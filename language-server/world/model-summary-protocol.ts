// The messages between the language server and its model-summary worker thread, one type per direction.
import type { ModelSummaryResult } from "./world-host";

/** Server → worker: summarize the model at an absolute path. */
export interface SummarizeRequestToWorker {
  id: number;
  path: string;
}

/** Worker → server: the answer to the request with the same id. */
export interface SummarizeResponseFromWorker {
  id: number;
  result: ModelSummaryResult;
}
