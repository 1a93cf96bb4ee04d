// The fake extension host of the profile viewer's harness page: a stub acquireVsCodeApi, put in the page before the
// app, that answers the ready request from a scenario, streams trace files from the harness server to the app in
// chunks (as extension/profile does: DidReceiveTraceChunkNotification, the first carrying the slot's source, then
// DidEndTraceNotification), answers EventTextRequest with the host's own reader (harness.ts), streams the scenario's
// compare file after ChooseCompareCommand, keeps setState in sessionStorage (a reload restores it, as VS Code does),
// records every message the app posts, counts the worker's traffic, and lets a test send notifications
// (window.__hostSend) or stream a file (window.__hostStream). `fakeHost` runs in the page: it must stay self-contained.
import type { ProfileInitialState, TraceSlot, TraceSource } from "../../../webviews/protocol/profile";

export interface Scenario {
  initial: ProfileInitialState;
  /** Files (names the harness serves under /files/) streamed into each slot after the ready reply. */
  files: Partial<Record<TraceSlot, string>>;
  /** The file streamed into "compare" when the app sends ChooseCompareCommand. */
  compareFile?: string;
  /** The source sent with that file's first chunk (default: the file's name as its label). */
  compareSource?: TraceSource;
  /** Bytes per chunk; default 256 kB. */
  chunkBytes?: number;
  /** Delay the ready reply (ms). */
  replyDelayMs?: number;
}

interface HarnessWindow {
  __posted: { method: string; params: unknown; id?: number }[];
  __violations: string[];
  __worker: { started: number; chunks: number; queries: number };
  __streamed: Record<string, number>;
  __hostSend(method: string, params: unknown): void;
  __hostStream(slot: TraceSlot, file: string, source?: TraceSource): Promise<void>;
  /** Bindings the harness installs (harness.ts `attach`): a file's bytes as base64 ("" at its end), an event's text. */
  __hostRead(file: string, offset: number, length: number): Promise<string>;
  __hostEventText(file: string, offset: number): Promise<string>;
  acquireVsCodeApi(): unknown;
}

/** The function the stub script runs in the page (serialized with toString). */
export function fakeHost(scenario: Scenario, storageKey: string): void {
  const w = window as unknown as HarnessWindow & Window;
  document.documentElement.dataset.harness = "";
  w.__posted = [];
  w.__violations = [];
  w.__streamed = {};
  document.addEventListener("securitypolicyviolation", (e) =>
    w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`),
  );
  w.__worker = { started: 0, chunks: 0, queries: 0 };
  const RealWorker = window.Worker;
  window.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      w.__worker.started++;
    }
    override postMessage(message: unknown, transfer?: unknown): void {
      const type = (message as { type?: string })?.type;
      if (type === "chunk") w.__worker.chunks++;
      if (type === "query") w.__worker.queries++;
      super.postMessage(message, transfer as Transferable[]);
    }
  } as typeof Worker;
  const send = (method: string, params: unknown, transfer: Transferable[] = []) =>
    window.postMessage({ method, params }, "*", transfer);
  const chunkBytes = scenario.chunkBytes ?? 256_000;
  // Streams a file as the host does: chunks in order, then the end. The bytes come from the harness through a
  // Playwright binding (__hostRead): the page's CSP rightly refuses fetch and XHR.
  const decode = (b64: string): Uint8Array => {
    const from = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
    if (from) return from(b64);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };
  w.__hostStream = async (slot, file, source) => {
    let offset = 0;
    for (;;) {
      const bytes = decode(await w.__hostRead(file, offset, chunkBytes));
      const length = bytes.byteLength; // the transfer below empties `bytes`
      if (length === 0) break;
      const first = offset === 0 && source ? { source } : {};
      send("profile/didReceiveTraceChunk", { slot, offset, bytes, ...first }, [bytes.buffer]);
      offset += length;
    }
    w.__streamed[slot] = offset;
    performance.mark(`edge-profile-streamed-${slot}`);
    send("profile/didEndTrace", { slot, byteLength: offset });
  };
  const filesBySlot: Record<string, string | undefined> = { ...scenario.files };
  w.acquireVsCodeApi = () => ({
    postMessage(m: { id?: number; method: string; params: Record<string, unknown> }) {
      w.__posted.push(m);
      if (m.method === "profile/chooseCompare" && scenario.compareFile) {
        filesBySlot.compare = scenario.compareFile;
        const file = scenario.compareFile;
        void w.__hostStream("compare", file, scenario.compareSource ?? { path: file, label: file });
      }
      if (m.id === undefined) return;
      const id = m.id;
      if (m.method === "profile/ready")
        setTimeout(() => {
          window.postMessage({ method: m.method, responseTo: id, params: scenario.initial }, "*");
          for (const [slot, file] of Object.entries(scenario.files))
            void w.__hostStream(slot as TraceSlot, file, scenario.initial[slot as TraceSlot]);
        }, scenario.replyDelayMs ?? 0);
      else if (m.method === "profile/eventText") {
        const p = m.params as { slot: TraceSlot; offset: number };
        void w.__hostEventText(filesBySlot[p.slot] ?? "", p.offset).then(
          (text) => window.postMessage({ method: m.method, responseTo: id, params: text }, "*"),
          (e: Error) => window.postMessage({ method: m.method, responseTo: id, error: e.message }, "*"),
        );
      }
    },
    getState: () => {
      const s = sessionStorage.getItem(storageKey);
      return s === null ? undefined : JSON.parse(s);
    },
    setState: (s: unknown) => sessionStorage.setItem(storageKey, JSON.stringify(s)),
  });
  w.__hostSend = (method, params) => send(method, params);
}

/** The nonce'd <script> that installs the fake host for `scenario`. */
export function fakeHostScript(scenario: Scenario, nonce: string, storageKey: string): string {
  const json = JSON.stringify(scenario).replace(/</g, "\\u003c");
  // tsx (esbuild keepNames) may wrap functions in __name(…); give the page a stand-in.
  return `<script nonce="${nonce}">var __name = (f) => f;\n(${fakeHost.toString()})(${json}, ${JSON.stringify(storageKey)});</script>`;
}
