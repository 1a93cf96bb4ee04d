// The VS Code side of revealing a kernel's node in onnxruntime's optimized graph (optimized-graph.ts decides,
// optimized-graph-engine.ts runs the CLI). When a reveal ends with the node not in the model and the reveal names a
// run, the notification offers "Open onnxruntime's optimized graph" (the graph webview's notice offers it too):
// the run's model optimized as its session did, written into `<runDir>/ort-optimized/` under a progress
// notification (reused while newer than the model), then `edge.revealModelNode` at the node there. Making it runs
// onnxruntime on the model, so it needs a trusted workspace (opening one made before does not). A node missing from
// that graph too is said plainly; the CLI's errors are shown with their message.
import { basename } from "node:path";
import * as vscode from "vscode";
import type { RevealOutcome } from "../../webviews/protocol/graph";
import type { NodeRef } from "../../webviews/protocol/node-links";
import { readConfig } from "../config";
import { readRunReport, runModelOf } from "../profile/run-folder";
import { chooseEngineNode } from "../run/engine-process";
import { canRun, explainUntrusted } from "../run/trust";
import {
  OPEN_OPTIMIZED_GRAPH,
  planOptimizedGraph,
  progressTitle,
  stillMissingMessage,
  type OptimizedGraphPlan,
} from "./optimized-graph";
import { CompileStoppedError, isFreshOutput, runCompile } from "./optimized-graph-engine";

type OptimizePlan = Extract<OptimizedGraphPlan, { kind: "optimize" }>;

export interface OptimizedRevealOptions {
  /** The extension's root (holds bin/edge.js). */
  extensionPath: string;
  log: vscode.LogOutputChannel;
}

export class OptimizedReveal {
  /** Compiles going on, by output path (a second click waits for the first). */
  private readonly making = new Map<string, Promise<boolean>>();

  constructor(private readonly options: OptimizedRevealOptions) {}

  /** What can be done for `ref` (its run folder read from disk). */
  async plan(ref: NodeRef): Promise<OptimizedGraphPlan> {
    if (!ref.runDir) return planOptimizedGraph(ref, {});
    const [report, runModel] = await Promise.all([readRunReport(ref.runDir), runModelOf(ref.runDir)]);
    return planOptimizedGraph(ref, { report, runModel });
  }

  /**
   * A reveal ended with the node not in the model (`message`: what the viewer says): said here too, with the button
   * to the optimized graph when one can be made; in the optimized graph itself, that it is not there either.
   */
  async notFound(outcome: RevealOutcome, message: string): Promise<void> {
    const plan = await this.plan(outcome.ref);
    if (plan.kind === "optimized-already") return this.sayStillMissing(plan);
    if (plan.kind === "unavailable") {
      this.options.log.info(`graph viewer: no optimized graph for ${outcome.ref.node}: ${plan.reason}`);
      void vscode.window.showInformationMessage(`Edge: ${message}`);
      return;
    }
    const choice = await vscode.window.showInformationMessage(`Edge: ${message}`, OPEN_OPTIMIZED_GRAPH);
    if (choice === OPEN_OPTIMIZED_GRAPH) await this.open(outcome.ref);
  }

  /**
   * Opens onnxruntime's optimized graph of the ref's run at the node, making it first when there is none newer than
   * the model. Resolves with its path once it is asked to open, or undefined (after saying why) when it is not.
   */
  async open(ref: NodeRef): Promise<string | undefined> {
    const plan = await this.plan(ref);
    if (plan.kind === "optimized-already") {
      this.sayStillMissing(plan);
      return undefined;
    }
    if (plan.kind === "unavailable") {
      void vscode.window.showInformationMessage(`Edge: onnxruntime's optimized graph cannot be made: ${plan.reason}.`);
      return undefined;
    }
    if (!(await this.ensure(plan))) return undefined;
    await vscode.commands.executeCommand("edge.revealModelNode", {
      model: plan.out,
      node: plan.node,
      runDir: plan.runDir,
    } satisfies NodeRef);
    return plan.out;
  }

  private sayStillMissing(plan: { node: string; runId: string; caveat?: string }): void {
    const text = stillMissingMessage(plan);
    this.options.log.info(`graph viewer: ${text}`);
    void vscode.window.showInformationMessage(`Edge: ${text}`);
  }

  /** True when the optimized graph is there and fresh (made now, or before). */
  private async ensure(plan: OptimizePlan): Promise<boolean> {
    if (await isFreshOutput(plan.out, plan.model)) return true;
    const going = this.making.get(plan.out);
    if (going) return going;
    if (!canRun()) {
      void explainUntrusted("making onnxruntime's optimized graph (it runs onnxruntime on the model)");
      return false;
    }
    const making = this.make(plan).finally(() => this.making.delete(plan.out));
    this.making.set(plan.out, making);
    return making;
  }

  private async make(plan: OptimizePlan): Promise<boolean> {
    const { log } = this.options;
    let node;
    try {
      node = chooseEngineNode(readConfig().nodePath);
    } catch (error) {
      void vscode.window.showErrorMessage(`Edge: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: progressTitle(plan), cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const cancelled = token.onCancellationRequested(() => abort.abort());
        log.info(`optimized graph: edge ${plan.args.join(" ")}`);
        try {
          await runCompile({
            node,
            extensionPath: this.options.extensionPath,
            cwd: plan.runDir,
            args: plan.args,
            signal: abort.signal,
            onOutput: (text) => log.info(`edge compile: ${text.trimEnd()}`),
          });
          return true;
        } catch (error) {
          if (error instanceof CompileStoppedError) {
            log.info(`optimized graph: ${basename(plan.out)} ${error.message}`);
            return false;
          }
          const message = error instanceof Error ? error.message : String(error);
          log.error(`optimized graph of ${plan.model}: ${message}`);
          void vscode.window.showErrorMessage(
            `Edge: onnxruntime's optimized graph of ${basename(plan.model)} could not be made: ${message}`,
          );
          return false;
        } finally {
          cancelled.dispose();
        }
      },
    );
  }
}
