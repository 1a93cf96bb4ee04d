// The profile viewer in the extension (created by Ctx, disposed with it): the custom editor for Chrome trace JSON
// (viewType edge.profile, priority "option": offered by "Reopen Editor With…" for any .json, never taking JSON
// over), live viewers of running tasks (LiveRuns; `edge.profile.openLiveTimeline` opens one beside the editor when a
// run starts streaming kernels), and the commands edge.openProfile, edge.openLiveTimeline and edge.revealNodeKernels
// (the graph viewer's "Show kernels"). Viewing a trace runs nothing: it all works in an untrusted workspace. What the
// commands are given is read by profile-targets.ts; what is on disk about a trace's run, by run-folder.ts.
import { basename } from "node:path";
import * as vscode from "vscode";
import type { NodeRef } from "../../webviews/protocol/node-links";
import { PROFILE_VIEW_TYPE, type TraceSource } from "../../webviews/protocol/profile";
import { isNodeRef } from "../graph/graph-handlers";
import type { ScannedRun } from "../graph/model-runs";
import type { RunInfo } from "../report/runs-provider";
import { LiveRuns, type LiveRun, type RunObserver } from "./live-runs";
import { ProfileEditor, type ProfileOpenOptions } from "./profile-editor";
import type { ProfileEditorSnapshot } from "./profile-snapshot";
import { compareCandidates, runModelList, runProfilePath } from "./profile-sources";
import { activeJson, isRunItem, optionsOf, pathOf, pickTraceFile } from "./profile-targets";
import { isDirectory, isFile, readRecipeModel, readRunReport, runModelOf, traceSourceOfFile } from "./run-folder";

export const OPEN_LIVE_SETTING = "profile.openLiveTimeline";

/** What the extension's API exposes of the profile viewer (for tests). */
export interface ProfileApi {
  editors(): ProfileEditorSnapshot[];
  lastEditor(): ProfileEditorSnapshot | undefined;
  /** Fires when a viewer answered its webview's ready request. */
  readonly onDidAnswerReady: vscode.Event<ProfileEditorSnapshot>;
  /** Fires after a viewer sent its webview a message. */
  readonly onDidNotify: vscode.Event<ProfileEditorSnapshot>;
  /** The runs going on now, with what they streamed. */
  liveRuns(): { runDir: string; runId: string; iterations: number[] }[];
}

export interface ProfileFeaturesOptions {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The workspace's runs with their reports (the Runs view's scan). */
  listRuns(): Promise<RunInfo[]>;
  openReport(runDir: vscode.Uri): Promise<void>;
}

/** A trace file as VS Code's custom document (read-only: the viewer reads it itself). */
class TraceDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class ProfileFeatures implements vscode.CustomReadonlyEditorProvider<TraceDocument>, vscode.Disposable {
  readonly live = new LiveRuns();
  private readonly editors = new Set<ProfileEditor>();
  /** How the next editor of a file opens (set by the commands just before `vscode.openWith`). */
  private readonly pending = new Map<string, ProfileOpenOptions>();
  private last: ProfileEditor | undefined;
  private readonly answered = new vscode.EventEmitter<ProfileEditor>();
  private readonly notified = new vscode.EventEmitter<ProfileEditor>();
  private readonly disposables: vscode.Disposable[] = [this.answered, this.notified, this.live];

  constructor(private readonly options: ProfileFeaturesOptions) {
    this.disposables.push(
      vscode.window.registerCustomEditorProvider(PROFILE_VIEW_TYPE, this, {
        supportsMultipleEditorsPerDocument: true,
        // The webview's index of a large trace takes seconds to build again: it is kept while the tab is hidden.
        webviewOptions: { retainContextWhenHidden: true },
      }),
      this.live.onDidStartStreaming((run) => {
        if (!vscode.workspace.getConfiguration("edge").get<boolean>(OPEN_LIVE_SETTING, true)) return;
        if (this.viewerOfLive(run)) return;
        void this.openLive(run, { preserveFocus: true }).catch((error: unknown) =>
          options.log.warn(`could not open the live timeline of ${run.info.runId}: ${String(error)}`),
        );
      }),
    );
  }

  /** For the run task's pseudoterminal: an observer of its engine events. */
  observeRun(recipe: vscode.Uri, cwd: string): RunObserver {
    return this.live.observe(recipe, cwd);
  }

  openCustomDocument(uri: vscode.Uri): TraceDocument {
    return new TraceDocument(uri);
  }

  async resolveCustomEditor(document: TraceDocument, panel: vscode.WebviewPanel): Promise<void> {
    const key = document.uri.toString();
    const options = this.pending.get(key) ?? {};
    this.pending.delete(key);
    this.adopt(panel, await this.sourceOfFile(document.uri.fsPath), options);
  }

  /**
   * `edge.openProfile [target] [options]`: target is a trace (Uri or path), a run (a Runs view item or its folder's
   * Uri: its profile.json, or its live timeline while it runs), or nothing (the active editor's .json, else a file
   * dialog). Options: `compareRunDir` / `compareWith` (a run or a trace to compare with), `node` (highlight its kernels).
   */
  async openProfile(target?: unknown, options?: unknown): Promise<void> {
    const opts = optionsOf(options);
    const open: ProfileOpenOptions = {};
    if (opts.node) open.highlight = { node: opts.node };
    const compare = opts.compareWith ?? (opts.compareRunDir ? await this.profileOfRun(opts.compareRunDir) : undefined);
    if (compare) open.compare = await this.sourceOfFile(compare);
    let path = pathOf(target);
    const runDir = isRunItem(target) ? target.uri.fsPath : path && (await isDirectory(path)) ? path : undefined;
    if (runDir) {
      const live = this.live.get(runDir);
      if (live) return this.openLive(live, {}, open.highlight);
      path = await this.profileOfRun(runDir);
      if (!path) return;
    }
    path ??= activeJson() ?? (await pickTraceFile("Open Profile"));
    if (!path) return;
    await this.open(path, open);
  }

  /** `edge.openLiveTimeline [run]`: the timeline of a run going on (the newest, or the one chosen). */
  async openLiveTimeline(target?: unknown): Promise<void> {
    const runDir = isRunItem(target) ? target.uri.fsPath : pathOf(target);
    const running = this.live.list();
    let run = runDir ? this.live.get(runDir) : running.length <= 1 ? running[0] : undefined;
    if (!run && !runDir && running.length > 1) {
      const picked = await vscode.window.showQuickPick(
        running.map((r) => ({ label: r.info.runId, description: r.recipe.fsPath, run: r })),
        { placeHolder: "The run whose live timeline to open" },
      );
      run = picked?.run;
      if (!picked) return;
    }
    if (!run) {
      void vscode.window.showInformationMessage(
        "Edge: no run is going on; run a recipe with `run.profile: true` to watch its kernels live.",
      );
      return;
    }
    await this.openLive(run, {});
  }

  /** `edge.revealNodeKernels NodeRef` (the graph viewer's "Show kernels"): the run's profile viewer, highlighting them. */
  async revealNodeKernels(ref: unknown): Promise<void> {
    if (!isNodeRef(ref)) throw new Error("edge.revealNodeKernels needs { node, model?, runDir? }");
    if (ref.runDir) {
      const live = this.live.get(ref.runDir);
      if (live) return this.openLive(live, {}, ref);
      const path = await this.profileOfRun(ref.runDir);
      if (path) await this.open(path, { highlight: ref });
      return;
    }
    const viewer = [...this.editors].find((e) => ref.model !== undefined && e.main.model === ref.model);
    if (viewer) return viewer.highlight(ref);
    void vscode.window.showInformationMessage(
      `Edge: to see the kernels of ${ref.node}, turn on a run's overlays in the graph first (the run's profile has them).`,
    );
  }

  /** The source a trace file makes: its run (the folder holds report.json or recipe.resolved.json) and model. */
  sourceOfFile(path: string): Promise<TraceSource> {
    return traceSourceOfFile(path);
  }

  private async open(path: string, options: ProfileOpenOptions): Promise<void> {
    const uri = vscode.Uri.file(path);
    const existing = [...this.editors].find((e) => !e.liveRun && e.main.path === path);
    if (existing) {
      existing.panel.reveal(undefined, false);
      if (options.compare) await existing.compareWith(options.compare);
      if (options.highlight) await existing.highlight(options.highlight);
      return;
    }
    this.pending.set(uri.toString(), options);
    await vscode.commands.executeCommand("vscode.openWith", uri, PROFILE_VIEW_TYPE);
  }

  /** Opens (or brings forward) the live viewer of a run: a panel (the file does not exist yet). */
  private async openLive(run: LiveRun, how: { preserveFocus?: boolean }, highlight?: NodeRef): Promise<void> {
    const existing = this.viewerOfLive(run);
    if (existing) {
      if (highlight) await existing.highlight(highlight);
      else existing.panel.reveal(undefined, how.preserveFocus);
      return;
    }
    const source: TraceSource = {
      path: run.info.profilePath,
      runDir: run.info.runDir,
      label: run.info.runId,
      live: true,
    };
    const model = run.info.producedModels.at(-1) ?? (await readRecipeModel(run.info.runDir));
    if (model) source.model = model;
    const panel = vscode.window.createWebviewPanel(
      PROFILE_VIEW_TYPE,
      `Live: ${run.info.runId}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: how.preserveFocus ?? false },
      { enableScripts: true, retainContextWhenHidden: true },
    );
    this.adopt(panel, source, highlight ? { highlight } : {}, run);
  }

  private viewerOfLive(run: LiveRun): ProfileEditor | undefined {
    return [...this.editors].find((e) => e.liveRun === run);
  }

  private adopt(panel: vscode.WebviewPanel, source: TraceSource, options: ProfileOpenOptions, run?: LiveRun): void {
    const editor = new ProfileEditor(
      panel,
      source,
      options,
      {
        extensionUri: this.options.extensionUri,
        log: (message) => this.options.log.warn(message),
        pickCompare: (current) => this.pickCompare(current),
        revealNode: (ref, current) => this.revealNode(ref, current),
        openReport: (runDir) => this.options.openReport(vscode.Uri.file(runDir)),
        sourceOfFile: (path) => this.sourceOfFile(path),
        isLive: (runDir) => this.live.get(runDir) !== undefined,
        didAnswerReady: (e) => {
          this.last = e;
          this.answered.fire(e);
        },
        didNotify: (e) => this.notified.fire(e),
        didDispose: (e) => {
          this.editors.delete(e);
          if (this.last === e) this.last = undefined;
        },
      },
      run,
    );
    this.editors.add(editor);
  }

  /** A kernel's node in the graph viewer: the trace's model (its run's produced model, else its original). */
  private async revealNode(ref: NodeRef, source: TraceSource): Promise<void> {
    const runDir = ref.runDir ?? source.runDir;
    const model = ref.model ?? source.model ?? (runDir ? await runModelOf(runDir) : undefined);
    if (!model) {
      void vscode.window.showInformationMessage(
        `Edge: ${basename(source.path)} is not in a run folder, so its model is not known; open the model's graph and search for ${ref.node}.`,
      );
      return;
    }
    await vscode.commands.executeCommand("edge.revealModelNode", { model, node: ref.node, runDir });
  }

  /** Asks for a trace to compare `source` with: other runs' profiles (same model first), or a file. */
  private async pickCompare(source: TraceSource): Promise<TraceSource | undefined> {
    const runs: ScannedRun[] = (await this.options.listRuns()).map((r) => ({
      runDir: r.uri.fsPath,
      runId: r.runId,
      report: r.report,
    }));
    const mine = source.runDir ? runModelList(source.runDir, await readRunReport(source.runDir)) : [];
    const models = source.model ? [source.model, ...mine] : mine;
    const browse = "$(folder-opened) Choose a file…";
    const items: (vscode.QuickPickItem & { path?: string })[] = [
      ...compareCandidates({ path: source.path, models }, runs).map((c) => ({
        label: c.runId,
        description: c.path,
        detail: c.detail,
        path: c.path,
      })),
      { label: browse, alwaysShow: true },
    ];
    const choice =
      items.length === 1
        ? items[0]
        : await vscode.window.showQuickPick(items, {
            title: `Compare ${source.label} with…`,
            placeHolder: 'The profile to show as "before" (this one is "after")',
            matchOnDescription: true,
            matchOnDetail: true,
          });
    if (!choice) return undefined;
    const path = choice.path ?? (await pickTraceFile(`Compare ${source.label} with…`));
    return path ? this.sourceOfFile(path) : undefined;
  }

  /** The profile.json of a run folder, or undefined (after saying why) when it has none. */
  private async profileOfRun(runDir: string): Promise<string | undefined> {
    const report = await readRunReport(runDir);
    const path = runProfilePath(runDir, report);
    if (path && (await isFile(path))) return path;
    void vscode.window.showInformationMessage(
      `Edge: run ${basename(runDir)} has no profile; run the recipe with \`run.profile: true\` to record one.`,
    );
    return undefined;
  }

  api(): ProfileApi {
    return {
      editors: () => [...this.editors].map((e) => e.snapshot),
      lastEditor: () => this.last?.snapshot,
      onDidAnswerReady: (listener, thisArg, disposables) =>
        this.answered.event((e) => listener.call(thisArg, e.snapshot), undefined, disposables),
      onDidNotify: (listener, thisArg, disposables) =>
        this.notified.event((e) => listener.call(thisArg, e.snapshot), undefined, disposables),
      liveRuns: () =>
        this.live.list().map((r) => ({
          runDir: r.info.runDir,
          runId: r.info.runId,
          iterations: r.batches.map((b) => b.iteration),
        })),
    };
  }

  dispose(): void {
    for (const editor of this.editors) editor.detach();
    this.editors.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
