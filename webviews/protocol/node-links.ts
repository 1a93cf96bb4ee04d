// How the graph viewer and the profile viewer point at each other, always through the extension host: a node of a
// model on one side, its kernels in a trace on the other. Both protocols (graph.ts, and the profile viewer's) use
// these parameter shapes; the host routes them (extension commands `edge.revealModelNode`, `edge.revealNodeKernels`).
//
//   graph webview  --RevealKernelsCommand(NodeRef)-->  host  --DidHighlightKernelsNotification(NodeRef)-->  profile
//   profile webview --RevealNodeCommand(NodeRef)-->   host  --DidRevealNodeNotification(NodeRef)-->       graph
//   graph webview   --RevealedNodeCommand({ ref, found, fusedFrom?, message? })--> host (says when it is not there)
//   graph webview   --OpenOptimizedGraphCommand(NodeRef)--> host (makes onnxruntime's optimized graph of the run and
//                                                            reveals the node there: extension/graph/optimized-reveal.ts)
//
// A node is named by its ONNX node name, which is what onnxruntime's profile names kernels by (`args.node_name`, or
// the event name `<node>_kernel_time`). Nodes inside If/Loop/Scan bodies are named the same way (names are unique
// across a model's graphs in the exports we meet; when they are not, the first match wins). A kernel of a node that
// onnxruntime made when it optimized the graph (a fusion: its name is not the model's) is not in the model: the graph
// viewer says so, with the model nodes it was fused from when the name tells.

export interface NodeRef {
  /** Absolute path of the model file the node belongs to; absent when the sender does not know it (a bare trace). */
  model?: string;
  /** The run folder the trace belongs to, when known (the host finds profile.json and the produced model there). */
  runDir?: string;
  /** The ONNX node name. */
  node: string;
}
