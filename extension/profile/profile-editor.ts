// One profile viewer: a webview panel (the `edge.profile` custom editor of a trace file, or the panel of a live run)
// showing a trace in the "main" slot and maybe another in the "compare" slot. The webview speaks first
// (ReadyRequest); once that is answered the host streams each trace file's bytes (trace-stream.ts: one chunk at a
// time, each sent after the previous was handed over) and, for a live run, replays the iterations so far and passes
// on new ones; when the run ends it says so and streams the final profile.json. A file changed on disk is streamed
// again (not while its run is live). Handlers for the webview's messages are in profile-handlers.ts; what the viewer
// shows tests of itself (its snapshot) is profile-snapshot.ts's.
import { stat } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import type { NotificationType } from "../../webviews/protocol/ipc";
import type { NodeRef } from "../../webviews/protocol/node-links";
import {
  DidEndLiveRunNotification,
  DidEndTraceNotification,
  DidHighlightKernelsNotification,
  DidReceiveLiveKernelsNotification,
  DidReceiveTraceChunkNotification,
  ReadyRequest,
  type ProfileInitialState,
  type TraceSlot,
  type TraceSource,
} from "../../webviews/protocol/profile";
import { WebviewChannel } from "../webview/webview-channel";
import { readEventText } from "./event-text";
import { FileBytes, withFileBytes } from "./file-bytes";
import type { LiveRun } from "./live-runs";
import { registerProfileHandlers, type ProfileEditorHost } from "./profile-handlers";
import { makeNonce, profileHtml } from "./profile-html";
import { emptySnapshot, type ProfileEditorSnapshot, type StreamRecord } from "./profile-snapshot";
import { StreamWindow, streamBytes } from "./trace-stream";

/** How long a file must stay unchanged before it is streamed again. */
const RESTREAM_DEBOUNCE_MS = 400;

// The snapshot's types, for the extension-host tests that import them from here.
export type { ProfileEditorSnapshot, StreamRecord } from "./profile-snapshot";

/** What a viewer needs from the profile features. */
export interface ProfileEditorServices {
  readonly extensionUri: vscode.Uri;
  log(message: string): void;
  /** Asks the user for a trace to compare `source` with; undefined when they cancelled. */
  pickCompare(source: TraceSource): Promise<TraceSource | undefined>;
  /** Reveals a kernel's node in the graph viewer (edge.revealModelNode), knowing the trace it came from. */
  revealNode(ref: NodeRef, source: TraceSource): Promise<void>;
  openReport(runDir: string): Promise<void>;
  /** The source a finished live run's profile.json makes (size, model from its report). */
  sourceOfFile(path: string): Promise<TraceSource>;
  /** Whether a run is writing into `runDir` now (its file is not streamed again while it does). */
  isLive(runDir: string): boolean;
  didAnswerReady(editor: ProfileEditor): void;
  /** Told after each message sent to the webview and each command it sent (tests wait on it). */
  didNotify(editor: ProfileEditor): void;
  didDispose(editor: ProfileEditor): void;
}

export interface ProfileOpenOptions {
  compare?: TraceSource;
  highlight?: NodeRef;
}

export class ProfileEditor implements ProfileEditorHost {
  readonly snapshot: ProfileEditorSnapshot;
  private readonly channel: WebviewChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sources: Partial<Record<TraceSlot, TraceSource>> = {};
  /** Bumped per slot by every new stream: an older stream of the slot sees it and stops. */
  private readonly generation: Record<TraceSlot, number> = { main: 0, compare: 0 };
  /** Each slot's stream's flow control (what the worker has read). */
  private readonly windows: Partial<Record<TraceSlot, StreamWindow>> = {};
  private pendingHighlight: NodeRef | undefined;
  private answered = false;
  private live: LiveRun | undefined;
  private liveSent = 0;
  /** Iterations whose batch reached the run after this viewer was ready (their draw time is a live latency). */
  private readonly liveTimed = new Set<number>();
  /** Live messages go out in order, one at a time. */
  private liveQueue: Promise<void> = Promise.resolve();
  private restreamTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    main: TraceSource,
    options: ProfileOpenOptions,
    private readonly services: ProfileEditorServices,
    live?: LiveRun,
  ) {
    this.sources.main = main;
    if (options.compare) this.sources.compare = options.compare;
    this.pendingHighlight = options.highlight;
    this.snapshot = emptySnapshot(main.path, panel.viewType, live !== undefined);
    const webviewRoot = vscode.Uri.joinPath(services.extensionUri, "dist", "webviews");
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    const asUri = (...parts: string[]) =>
      panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, ...parts)).toString();
    panel.webview.html = profileHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri("profile", "main.js"),
      styleUris: [asUri("codicons", "codicon.css"), asUri("profile", "main.css")],
      title: main.label,
    });
    this.channel = new WebviewChannel(panel.webview, "profile", (message) => services.log(message));
    this.disposables.push(
      this.channel,
      ...registerProfileHandlers(this.channel, this),
      this.channel.onDidHandle((handled) => {
        if (handled.kind === "command") {
          this.snapshot.commands.push(handled.method);
          services.didNotify(this);
        }
        if (handled.kind === "request" && handled.method === ReadyRequest.method && handled.error === undefined)
          this.didAnswerReady();
      }),
      panel.onDidDispose(() => {
        this.detach();
        services.didDispose(this);
      }),
    );
    if (live && !live.ended) this.follow(live);
    else if (!main.live) this.watch(main.path);
  }

  /** The trace shown in the main slot. */
  get main(): TraceSource {
    return this.sources.main!;
  }

  /** The live run followed, while it runs. */
  get liveRun(): LiveRun | undefined {
    return this.live;
  }

  // ---- the webview's requests and commands (profile-handlers.ts) ----

  async initialState(): Promise<ProfileInitialState> {
    this.snapshot.readyRequests++;
    // A reload of the webview asks again: streams start over (the reply goes before the first chunk).
    this.answered = false;
    this.generation.main++;
    this.generation.compare++;
    const state: ProfileInitialState = { main: this.main };
    if (this.sources.compare) state.compare = this.sources.compare;
    if (this.pendingHighlight) {
      state.highlight = this.pendingHighlight;
      this.snapshot.highlights.push(this.pendingHighlight);
      this.pendingHighlight = undefined;
    }
    return state;
  }

  async eventText(slot: TraceSlot, offset: number): Promise<string> {
    const source = this.sources[slot];
    if (!source || source.live) throw new Error(`profile: no trace file in the ${slot} slot`);
    return withFileBytes(source.path, (bytes) => readEventText(bytes, offset));
  }

  async chooseCompare(): Promise<void> {
    const other = await this.services.pickCompare(this.main);
    if (!other || this.closed) return;
    this.sources.compare = other;
    if (this.answered) void this.stream("compare");
  }

  revealNode(ref: NodeRef): Promise<void> {
    return this.services.revealNode(ref, this.main);
  }

  runDirs(): readonly string[] {
    return [this.sources.main?.runDir, this.sources.compare?.runDir].filter((d): d is string => d !== undefined);
  }

  openReport(runDir: string): Promise<void> {
    return this.services.openReport(runDir);
  }

  traceConsumed(slot: TraceSlot, bytes: number): void {
    const record = this.snapshot.streams[slot];
    if (record) record.consumed = Math.min(record.bytes, Math.max(record.consumed, bytes));
    this.windows[slot]?.consumed(bytes);
  }

  liveDrawn(iterations: number[]): void {
    const now = performance.now();
    for (const iteration of iterations) {
      const endMs = this.live?.iterationEndMs.get(iteration);
      if (endMs === undefined || !this.liveTimed.delete(iteration)) continue;
      this.snapshot.liveLatencies.push({ iteration, ms: now - endMs });
    }
  }

  // ---- what the profile features ask ----

  /** Highlights a node's kernels (now, or in the reply to the webview's ready request), and brings the viewer forward. */
  async highlight(ref: NodeRef): Promise<void> {
    this.panel.reveal(undefined, false);
    if (!this.answered) {
      this.pendingHighlight = ref;
      return;
    }
    this.snapshot.highlights.push(ref);
    await this.notify(DidHighlightKernelsNotification, ref);
  }

  /** Shows `other` in the compare slot. */
  async compareWith(other: TraceSource): Promise<void> {
    this.sources.compare = other;
    if (this.answered) await this.stream("compare");
  }

  // ---- streaming ----

  private didAnswerReady(): void {
    this.answered = true;
    this.services.didAnswerReady(this);
    if (this.live) {
      this.liveSent = 0;
      this.flushLive();
    } else void this.stream("main");
    if (this.sources.compare) void this.stream("compare");
  }

  /** Streams the slot's file (a newer stream of the slot stops this one). */
  private async stream(slot: TraceSlot): Promise<void> {
    const source = this.sources[slot];
    if (!source || source.live) return;
    const generation = ++this.generation[slot];
    const cancelled = () => this.closed || this.generation[slot] !== generation;
    const record: StreamRecord = {
      path: source.path,
      chunks: 0,
      bytes: 0,
      ended: false,
      consumed: 0,
      maxAheadBytes: 0,
    };
    this.snapshot.streams[slot] = record;
    this.windows[slot]?.release();
    const window = new StreamWindow();
    this.windows[slot] = window;
    const bytes = new FileBytes(source.path);
    let result;
    try {
      result = await streamBytes(
        bytes,
        async (offset, chunk) => {
          record.chunks++;
          record.bytes += chunk.length;
          record.maxAheadBytes = Math.max(record.maxAheadBytes, record.bytes - record.consumed);
          return this.notify(DidReceiveTraceChunkNotification, {
            slot,
            offset,
            bytes: chunk,
            ...(offset === 0 ? { source } : {}),
          });
        },
        { cancelled, room: (sent, length) => window.room(sent, length) },
      );
    } finally {
      await bytes.close();
    }
    if (window.stalls > 0)
      this.services.log(
        `profile viewer: ${source.path}: no word from the webview that it read the trace for a while (${window.stalls}×); streamed on`,
      );
    if (result.cancelled) return;
    if (result.error) {
      record.error = result.error;
      this.services.log(`profile viewer: ${source.path}: ${result.error}`);
    }
    record.ended = true;
    await this.notify(DidEndTraceNotification, {
      slot,
      byteLength: result.byteLength,
      ...(result.error ? { error: result.error } : {}),
    });
  }

  // ---- a live run ----

  private follow(run: LiveRun): void {
    this.live = run;
    this.disposables.push(
      run.onDidReceiveBatch((batch) => {
        if (this.answered) this.liveTimed.add(batch.iteration);
        this.flushLive();
      }),
      run.onDidEnd(({ ok }) => this.endLive(ok)),
    );
  }

  /** Sends the run's batches not sent yet (once the webview answered). */
  private flushLive(): void {
    this.liveQueue = this.liveQueue.then(async () => {
      const run = this.live;
      if (!run || !this.answered) return;
      while (this.liveSent < run.batches.length && this.answered) {
        const batch = run.batches[this.liveSent++];
        this.snapshot.liveIterations.push(batch.iteration);
        await this.notify(DidReceiveLiveKernelsNotification, batch);
      }
    });
  }

  private endLive(ok: boolean): void {
    this.liveQueue = this.liveQueue.then(async () => {
      const run = this.live;
      if (!run) return;
      const profilePath = run.info.profilePath;
      const exists = await stat(profilePath).then(
        (s) => s.isFile(),
        () => false,
      );
      this.live = undefined;
      this.snapshot.live = false;
      const source = exists ? await this.services.sourceOfFile(profilePath) : undefined;
      if (source) {
        this.sources.main = source;
        this.snapshot.path = source.path;
        this.watch(source.path);
      }
      if (this.closed) return;
      await this.notify(DidEndLiveRunNotification, { ok, ...(exists ? { profilePath } : {}) });
      if (source && this.answered) await this.stream("main");
    });
  }

  /** Streams the main file again when it changes on disk (debounced; never while its run writes it). */
  private watch(path: string): void {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(dirname(path)), basename(path)),
    );
    const changed = () => {
      if (this.restreamTimer) clearTimeout(this.restreamTimer);
      this.restreamTimer = setTimeout(() => void this.restream(path), RESTREAM_DEBOUNCE_MS);
    };
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
  }

  private async restream(path: string): Promise<void> {
    const main = this.sources.main;
    if (this.closed || !main || main.path !== path || this.live) return;
    if (main.runDir && this.services.isLive(main.runDir)) return;
    const sizeBytes = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (sizeBytes === undefined) return;
    this.sources.main = { ...main, sizeBytes };
    if (this.answered) await this.stream("main");
  }

  private async notify<P>(type: NotificationType<P>, params: P): Promise<boolean> {
    this.snapshot.notifications.push(type.method);
    const delivered = await this.channel.notify(type, params);
    this.services.didNotify(this);
    if (!delivered && !this.closed)
      this.services.log(`profile webview: ${type.method} not delivered (the view is hidden or closed)`);
    return delivered;
  }

  /** Stops listening to the webview and the file (the viewer closed, or the extension is deactivating). */
  detach(): void {
    this.closed = true;
    for (const w of Object.values(this.windows)) w?.release();
    if (this.restreamTimer) clearTimeout(this.restreamTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
