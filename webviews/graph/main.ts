// The graph viewer's entry: speaks first (ReadyRequest), then shows the model or the engine's error, and follows the
// host's notifications (a changed file, overlays, a diff, a node to reveal).
import "../ui/base.css";
import "./graph.css";
import {
  DidChangeDiffNotification,
  DidChangeDocumentNotification,
  DidChangeOverlaysNotification,
  DidRevealNodeNotification,
  ReadyRequest,
  type GraphViewState,
} from "../protocol/graph";
import { HostChannel } from "../ui/host-channel";
import { GraphApp } from "./app";

const channel = new HostChannel<GraphViewState>(acquireVsCodeApi<GraphViewState>());
const root = document.getElementById("app") ?? document.body.appendChild(document.createElement("div"));
const app = new GraphApp(channel, root);

channel.onNotification(DidChangeDocumentNotification, (p) => app.setDocument(p.document, undefined, p.error));
channel.onNotification(DidChangeOverlaysNotification, (o) => app.setOverlays(o));
channel.onNotification(DidChangeDiffNotification, (p) => app.setDiff(p.diff, p.error));
channel.onNotification(DidRevealNodeNotification, (ref) => app.revealByName(ref.node, ref));
channel
  .sendRequest(ReadyRequest, {})
  .then((initial) => app.init(initial))
  .catch((error: unknown) => {
    root.textContent = `Could not load the graph: ${error instanceof Error ? error.message : String(error)}`;
    document.body.dataset.ready = "true";
  });

// The standalone harness (test/webviews/graph-harness/) marks its page; only there is the app inspectable.
if (document.documentElement.dataset.harness !== undefined)
  (window as unknown as { edgeGraph: GraphApp }).edgeGraph = app;
window.addEventListener("pagehide", () => app.save());
