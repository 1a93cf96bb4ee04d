// The terminal of an `edge` task (CustomExecution): starts `edge run … --events jsonl`, prints readable progress
// from the events (RunRenderer), feeds engine errors to the "edge-run" diagnostics, and closes with the engine's
// exit code. Closing the terminal or terminating the task cancels the engine (SIGTERM, then SIGKILL).
import { visible } from "../../common/terminal-text";
import * as vscode from "vscode";
import type { EngineEvent } from "../../engine/events";
import { chooseEngineNode, startEngine, type EngineProcess } from "./engine-process";
import { RunRenderer, terminalText } from "./run-renderer";
import type { RunDiagnostics } from "./run-diagnostics";
import { canRun } from "./trust";

export interface RunRequest {
  recipe: vscode.Uri;
  /** Undefined: the recipe's own choice (`run.device`). */
  device: string | undefined;
  /** Steps other than `run` (not implemented yet): reported as skipped. */
  skippedSteps: readonly string[];
  cwd: string;
}

export interface RunServices {
  extensionPath: string;
  log: vscode.LogOutputChannel;
  diagnostics: RunDiagnostics;
  nodePath(): string | undefined;
  /** The engine's environment for reaching devices (EDGE_ADB_PATH, EDGE_SSH_PATH from the settings). */
  toolEnv?(): Record<string, string>;
  /** Told when a run ends (report path when one was written). */
  didFinish(result: RunFinished): void;
  /** An observer of the run's engine events (the profile viewer's live timeline follows its kernels). */
  observeRun?(recipe: vscode.Uri, cwd: string): RunObserver;
}

/** Sees every engine event of one run, then its end. */
export interface RunObserver {
  event(event: EngineEvent): void;
  end(result: { exitCode: number; cancelled: boolean }): void;
}

export interface RunFinished {
  recipe: vscode.Uri;
  exitCode: number;
  cancelled: boolean;
  reportJsonPath?: string;
  reportMdPath?: string;
}

/** Exit code the terminal closes with when the engine could not start. */
const EXIT_NOT_STARTED = 127;

export class RunPseudoterminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private engine: EngineProcess | undefined;
  private readonly renderer = new RunRenderer();
  private closed = false;
  private observer: RunObserver | undefined;

  constructor(
    private readonly request: RunRequest,
    private readonly services: RunServices,
  ) {}

  open(): void {
    const { request, services } = this;
    services.diagnostics.clear(request.recipe);
    if (!canRun()) {
      this.write(
        "\x1b[31m✗ running is disabled in an untrusted workspace (Manage Workspace Trust to enable it)\x1b[0m\r\n",
      );
      this.finish(EXIT_NOT_STARTED, false);
      return;
    }
    for (const step of request.skippedSteps)
      this.write(
        `\x1b[33m⚠ step "${visible(step)}" is not available yet; the recipe's quantize, compile, run and profile steps run today\x1b[0m\r\n`,
      );
    let node;
    try {
      node = chooseEngineNode(services.nodePath());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      services.log.error(`edge run: ${message}`);
      this.write(`\x1b[31m✗ ${message}\x1b[0m\r\n`);
      this.finish(EXIT_NOT_STARTED, false);
      return;
    }
    const args = [
      "run",
      request.recipe.fsPath,
      "--events",
      "jsonl",
      ...(request.device ? ["--device", request.device] : []),
    ];
    services.log.info(`edge run: ${node.command} bin/edge.js ${args.join(" ")} (cwd ${request.cwd})`);
    this.observer = services.observeRun?.(request.recipe, request.cwd);
    const engine = startEngine({
      node,
      extensionPath: services.extensionPath,
      args,
      cwd: request.cwd,
      env: services.toolEnv?.(),
      onEvent: (event) => this.onEvent(event),
      onOutput: (text) => {
        for (const line of text.split(/\r?\n/)) if (line.trim() !== "") services.log.info(`[engine] ${line}`);
      },
    });
    this.engine = engine;
    void engine.exited.then(({ code, signal }) => {
      const exitCode = code ?? (signal ? 128 + (signal === "SIGKILL" ? 9 : 15) : 1);
      services.log.info(`edge run: engine exited with ${code ?? signal}${engine.cancelled ? " (cancelled)" : ""}`);
      this.finish(exitCode, engine.cancelled);
    });
  }

  /** The terminal was closed or the task terminated: stop the engine; it writes its partial report. */
  close(): void {
    this.closed = true;
    this.engine?.cancel();
  }

  handleInput(data: string): void {
    if (data === "\x03") {
      this.write("^C cancelling…\r\n");
      this.engine?.cancel();
    }
  }

  private onEvent(event: EngineEvent): void {
    if (event.type === "error") this.services.diagnostics.add(event, this.request.cwd, this.request.recipe);
    this.observer?.event(event);
    const text = this.renderer.render(event);
    if (text) this.write(text);
  }

  private finish(exitCode: number, cancelled: boolean): void {
    this.write(this.renderer.finish(exitCode, cancelled));
    this.observer?.end({ exitCode, cancelled });
    this.observer = undefined;
    const s = this.renderer.summary;
    this.services.didFinish({
      recipe: this.request.recipe,
      exitCode,
      cancelled,
      reportJsonPath: s.reportJsonPath,
      reportMdPath: s.reportMdPath,
    });
    this.closer.fire(exitCode);
    this.closed = true;
  }

  private write(text: string): void {
    if (!this.closed) this.writer.fire(terminalText(text));
  }
}
