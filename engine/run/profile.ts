// onnxruntime profiles: Chrome trace JSON (an array of events, or {traceEvents: [...]}). Each inference is a
// `Session` event named "model_run"; each kernel is a complete event (`ph: "X"`) with `cat: "Node"`, a name like
// "/conv1/Conv_kernel_time", `args.op_name` and `args.provider`; times are in µs since the profile started.
// This module turns a trace into per-op-type and per-node totals and picks the kernels to stream as events.
//
// Traces of long runs are far larger than a JavaScript string can be (2,000 iterations of a small model: 162 MB),
// so nothing here needs the whole trace: a KernelCollector takes the events one by one (from the streaming parser of
// common/trace/) and keeps, per kernel, only numbers (start, duration, an interned node), about 2.5 % of the
// trace's size, and the model_run spans. Kernels are assigned to runs by time once all spans are known, because
// onnxruntime writes a run's model_run event after its kernels. The summary's types are report.json's
// (common/profile-summary.ts). The collector and the summary live in common/trace/kernels.ts (the graph viewer's
// latency overlay, engine/graph/, reads traces with them too); this module re-exports them.
import type { TraceEvent } from "../../common/trace/trace-event";
import { TraceParser } from "../../common/trace/trace-parser";
import { isTraceSyntaxError } from "../../common/trace/trace-syntax-error";
import { EdgeError } from "../errors";

export type { NodeRow, OpTypeRow, ProfileSummary } from "../../common/profile-summary";
export type { TraceEvent } from "../../common/trace/trace-event";

export {
  KernelCollector,
  kernelList,
  kernelRecords,
  kernelsToStream,
  summarizeKernels,
  summarizeProfile,
  type KernelRecord,
  type SummaryOptions,
  type TraceKernels,
} from "../../common/trace/kernels";

/**
 * Parses a whole trace held as text (a small one: the engine streams its profile file instead). A bad or truncated
 * trace is a `run/failed` error naming the file.
 */
export function parseTrace(text: string, file = "<profile>"): TraceEvent[] {
  const events: TraceEvent[] = [];
  const parser = new TraceParser({ onEvent: (e) => events.push(e) });
  try {
    parser.write(text);
    const result = parser.end();
    if (result.truncated)
      throw new EdgeError("run/failed", `the profile ${file} is not valid JSON: it ends before the trace is closed`, {
        file,
      });
  } catch (e) {
    if (!isTraceSyntaxError(e)) throw e;
    throw new EdgeError("run/failed", `the profile ${file} is not valid JSON (a Chrome trace): ${e.message}`, {
      file,
      offset: e.byteOffset,
      line: e.line,
    });
  }
  return events;
}
