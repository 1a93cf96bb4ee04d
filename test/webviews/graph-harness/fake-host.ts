// The fake extension host of the graph viewer's harness page: a stub acquireVsCodeApi, put in the page before the
// app, that answers the protocol (ready, node details, overlays) from a scenario, keeps setState in sessionStorage
// (so a reload restores it, as VS Code does), records every message the app posts, counts layout worker traffic, and
// lets a test send notifications (window.__hostSend). `fakeHost` runs in the page: it must stay self-contained.
import type { GraphInitialState } from "../../../webviews/protocol/graph";
import type { GraphOverlays } from "../../../common/graph/overlays";
import type { NodeDetails } from "../../../common/graph/node-details";

export interface Scenario {
  initial: GraphInitialState;
  /** Node details by `${JSON.stringify(path)}#${node}`; others are synthesized from the graph. */
  details?: Record<string, NodeDetails>;
  /** Overlays by run folder (OverlaysRequest). */
  overlays?: Record<string, GraphOverlays>;
  /** Delay the ready reply (ms), e.g. to time from the moment the graph arrives. */
  replyDelayMs?: number;
  /** Drop the app's layout requests to its worker (shows that nothing is laid out on the UI thread). */
  blockWorker?: boolean;
}

interface HarnessWindow {
  __posted: unknown[];
  __violations: string[];
  __worker: { started: number; layoutRequests: number; scenes: number };
  __hostSend(method: string, params: unknown): void;
  acquireVsCodeApi(): unknown;
}

/** The function the stub script runs in the page (serialized with toString). */
export function fakeHost(scenario: Scenario, storageKey: string): void {
  const w = window as unknown as HarnessWindow & Window;
  document.documentElement.dataset.harness = "";
  w.__posted = [];
  w.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`),
  );
  // Count the layout worker's traffic: the app must lay out there, not on this thread.
  w.__worker = { started: 0, layoutRequests: 0, scenes: 0 };
  const RealWorker = window.Worker;
  window.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      w.__worker.started++;
      this.addEventListener(
        "message",
        (e: MessageEvent<{ type?: string }>) => e.data?.type === "scene" && w.__worker.scenes++,
      );
    }
    override postMessage(message: unknown, transfer?: unknown): void {
      if ((message as { type?: string })?.type === "layout") {
        w.__worker.layoutRequests++;
        if (scenario.blockWorker) return;
      }
      super.postMessage(message, transfer as Transferable[]);
    }
  } as typeof Worker;
  const reply = (id: number, method: string, params: unknown, delay = 0) =>
    setTimeout(() => {
      if (method === "graph/ready") performance.mark("edge-graph-document-sent");
      window.postMessage({ method, responseTo: id, params }, "*");
    }, delay);
  const synthesize = (path: { node: number; attribute: string }[], node: number) => {
    let g = scenario.initial.document!.graph;
    for (const s of path) g = g.nodes[s.node].subgraphs!.find((x) => x.attribute === s.attribute)!.graph;
    const n = g.nodes[node];
    const t = (i: number) => ({
      tensor: i,
      name: g.tensors[i].name,
      kind: g.tensors[i].kind,
      dtype: g.tensors[i].dtype,
      shape: g.tensors[i].shape,
      shapeSource: g.tensors[i].shapeSource,
    });
    return {
      path,
      node,
      name: n.name,
      op: n.op,
      domain: n.domain,
      attributes: [],
      inputs: n.inputs.filter((i) => i >= 0).map(t),
      outputs: n.outputs.map(t),
    };
  };
  w.acquireVsCodeApi = () => ({
    postMessage(m: { id?: number; method: string; params: Record<string, unknown> }) {
      w.__posted.push(m);
      if (m.id === undefined) return;
      if (m.method === "graph/ready") reply(m.id, m.method, scenario.initial, scenario.replyDelayMs ?? 0);
      else if (m.method === "graph/nodeDetails") {
        const p = m.params as { path: { node: number; attribute: string }[]; node: number };
        reply(m.id, m.method, scenario.details?.[`${JSON.stringify(p.path)}#${p.node}`] ?? synthesize(p.path, p.node));
      } else if (m.method === "graph/overlays") {
        const o = scenario.overlays?.[(m.params as { runDir: string }).runDir];
        if (o) reply(m.id, m.method, o);
        else setTimeout(() => window.postMessage({ method: m.method, responseTo: m.id, error: "no such run" }, "*"));
      }
    },
    getState: () => {
      const s = sessionStorage.getItem(storageKey);
      return s === null ? undefined : JSON.parse(s);
    },
    setState: (s: unknown) => sessionStorage.setItem(storageKey, JSON.stringify(s)),
  });
  w.__hostSend = (method, params) => window.postMessage({ method, params }, "*");
}

/** The nonce'd <script> that installs the fake host for `scenario`. */
export function fakeHostScript(scenario: Scenario, nonce: string, storageKey: string): string {
  const json = JSON.stringify(scenario).replace(/</g, "\\u003c");
  // tsx (esbuild keepNames) may wrap functions in __name(…); give the page a stand-in.
  return `<script nonce="${nonce}">var __name = (f) => f;\n(${fakeHost.toString()})(${json}, ${JSON.stringify(storageKey)});</script>`;
}
