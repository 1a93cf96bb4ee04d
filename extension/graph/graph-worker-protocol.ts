// The messages between the extension host and its graph worker thread (graph-worker.ts), one type per direction.
// One worker per open model document: it holds the engine's opened model (for node details) and answers one request
// at a time, each with the id it came with. Failures travel as GraphOpenError (the engine's error as it is).
import type { GraphPath, ModelGraphDocument } from "../../common/graph/model-graph";
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphOverlays } from "../../common/graph/overlays";
import type { DiffState, GraphOpenError } from "../../webviews/protocol/graph";

/** What each request asks, with the type of its answer. */
export interface GraphWorkerCalls {
  /** Read (or read again) the model at `file`; the worker keeps it open for node details. */
  open: { params: { file: string }; result: ModelGraphDocument };
  nodeDetails: { params: { path: GraphPath; node: number }; result: NodeDetails };
  /** A run folder's overlays (profile.json, partitions.json, quant-error.json). */
  overlays: { params: { runDir: string }; result: GraphOverlays };
  /** Read `other` and diff it ("before") against the open model ("after"). */
  diff: { params: { other: string }; result: DiffState };
  /** Close the open model (the worker stays). */
  close: { params: Record<string, never>; result: null };
}

export type GraphWorkerMethod = keyof GraphWorkerCalls;

/** Host → worker. */
export interface GraphWorkerRequest<M extends GraphWorkerMethod = GraphWorkerMethod> {
  id: number;
  method: M;
  params: GraphWorkerCalls[M]["params"];
}

/** Worker → host: the answer to the request with the same id. */
export type GraphWorkerResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: GraphOpenError };

/** Any thrown value as a GraphOpenError: an EdgeError's code, message, hint and where; anything else an internal bug. */
export function toGraphOpenError(thrown: unknown, file?: string): GraphOpenError {
  const e = thrown as {
    code?: unknown;
    message?: unknown;
    hint?: unknown;
    where?: { file?: unknown; offset?: unknown };
  };
  const isEdge = typeof e === "object" && e !== null && typeof e.code === "string" && /^[a-z-]+\/[a-z-]+$/.test(e.code);
  const error: GraphOpenError = {
    code: isEdge ? (e.code as string) : "internal/bug",
    message: typeof e?.message === "string" ? e.message : String(thrown),
  };
  if (isEdge && typeof e.hint === "string") error.hint = e.hint;
  const where = isEdge ? e.where : undefined;
  const whereFile = typeof where?.file === "string" ? where.file : file;
  if (whereFile !== undefined) error.file = whereFile;
  if (typeof where?.offset === "number") error.offset = where.offset;
  return error;
}
