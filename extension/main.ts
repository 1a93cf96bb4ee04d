// Activation and the command table. Activation only registers things (the language client starts on the first
// recipe document and is not awaited), measures its own cost, and returns the extension's API for tests and benches.
// Architecture invariant: every command contributed in package.json has a handler in `commands` below.
import * as vscode from "vscode";
import { Ctx, describe } from "./ctx";
import { createDemoRecipe, type CreateDemoRecipeArgs } from "./demo-recipe";
import type { DevicesApi } from "./devices/device-features";
import type { GraphApi } from "./graph/graph-features";
import type { ProfileApi } from "./profile/profile-features";
import type { ReportsApi } from "./report/reports";

/** What activate returns (`vscode.extensions.getExtension("edge-studio.edge-studio").exports`). */
export interface EdgeStudioApi {
  /** Milliseconds from activate's entry to its return. */
  readonly activationMs: number;
  /** The language server's state as the status item shows it ("stopped" before the first recipe). */
  serverState(): string;
  /** Fires when the server's state changes (what the language status item shows). */
  readonly onDidChangeServerState: vscode.Event<unknown>;
  /** Resolves when the language client is running (starting it if needed). */
  serverReady(): Promise<void>;
  /** Run reports: open, compare, the Runs view's list, and the last report panel (for tests). */
  readonly reports: ReportsApi;
  /** The live device listing and the Devices view's items (for tests). */
  readonly devices: DevicesApi;
  /** The model graph viewer's open editors (for tests). */
  readonly graphs: GraphApi;
  /** The profile viewer's open viewers and the runs streaming kernels now (for tests). */
  readonly profiles: ProfileApi;
}

type CommandHandler = (ctx: Ctx, ...args: unknown[]) => unknown;

/** Every contributed command, by id. A test checks this table against package.json. */
export const commands: Record<string, CommandHandler> = {
  "edge.showLog": (ctx) => ctx.showLog(),
  "edge.showServerLog": (ctx) => ctx.showServerLog(),
  "edge.restartServer": (ctx) => ctx.restart(),
  "edge.revalidateRecipes": (ctx) => ctx.revalidate(),
  "edge.createDemoRecipe": (_ctx, args) => createDemoRecipe(args as CreateDemoRecipeArgs | undefined),
  "edge.runRecipe": (ctx, uri, device) => ctx.runs.runRecipe(uri, device),
  "edge.selectDevice": (ctx, uri) => ctx.runs.selectDevice(uri),
  "edge.openLastReport": (ctx, uri) => ctx.runs.openLastReport(uri),
  "edge.openReport": (ctx, run) => ctx.reports.openReportCommand(run),
  "edge.compareRuns": (ctx, a, b) => ctx.reports.compareRunsCommand(a, b),
  "edge.refreshRuns": (ctx) => ctx.reports.refreshRuns(),
  "edge.revealRun": (ctx, run) => ctx.reports.revealRun(run),
  "edge.refreshDevices": (ctx) => ctx.devices.refresh(),
  "edge.runRecipeOnDevice": (ctx, device) => ctx.devices.runRecipeHere(device),
  "edge.openDeviceShell": (ctx, device) => ctx.devices.openShell(device),
  "edge.copyDeviceSerial": (ctx, device) => ctx.devices.copyAddress(device),
  "edge.copyDeviceAddress": (ctx, device) => ctx.devices.copyAddress(device),
  "edge.deployModel": (ctx, model) => ctx.devices.deployModel(model),
  "edge.openModelGraph": (ctx, target, options) => ctx.graphs.openModelGraph(target, options),
  "edge.revealModelNode": (ctx, ref) => ctx.graphs.revealModelNode(ref),
  "edge.revealNodeKernels": (ctx, ref) => ctx.profiles.revealNodeKernels(ref),
  "edge.openProfile": (ctx, target, options) => ctx.profiles.openProfile(target, options),
  "edge.openLiveTimeline": (ctx, run) => ctx.profiles.openLiveTimeline(run),
};

/** The activation's Ctx (the one module-level variable: deactivate has no other way to reach it). */
let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): EdgeStudioApi {
  const started = performance.now();
  try {
    ctx = new Ctx(context);
    const current = ctx;
    for (const [id, handler] of Object.entries(commands)) {
      context.subscriptions.push(
        vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(current, id, handler, args)),
      );
    }
    current.startOnFirstRecipe();
    const activationMs = performance.now() - started;
    current.log.info(`activated in ${activationMs.toFixed(1)} ms`);
    return {
      activationMs,
      serverState: () => current.state,
      onDidChangeServerState: current.onDidChangeStatus,
      serverReady: async () => void (await current.ensureStarted()),
      reports: current.reports.api(),
      devices: current.devices.api(),
      graphs: current.graphs.api(),
      profiles: current.profiles.api(),
    };
  } catch (error) {
    reportActivationFailure(error);
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  const current = ctx;
  ctx = undefined;
  await current?.dispose();
}

async function runCommand(current: Ctx, id: string, handler: CommandHandler, args: unknown[]): Promise<unknown> {
  try {
    return await handler(current, ...args);
  } catch (error) {
    current.log.error(`command ${id} failed: ${describe(error)}`);
    void showErrorWithLog(`Edge: ${id} failed: ${error instanceof Error ? error.message : String(error)}`, () =>
      current.showLog(),
    );
    return undefined;
  }
}

function reportActivationFailure(error: unknown): void {
  const channel = ctx?.log ?? vscode.window.createOutputChannel("Edge Studio", { log: true });
  channel.error(`activation failed: ${describe(error)}`);
  void showErrorWithLog(
    `Edge Studio failed to activate: ${error instanceof Error ? error.message : String(error)}`,
    () => channel.show(true),
  );
}

async function showErrorWithLog(message: string, showLog: () => void): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Show log");
  if (choice === "Show log") showLog();
}
