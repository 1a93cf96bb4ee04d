// The device features (created by Ctx): the device model fed by the `edge devices --json --watch` watcher, the
// Devices view, and what the commands edge.refreshDevices / edge.runRecipeOnDevice / edge.openDeviceShell /
// edge.copyDeviceAddress / edge.deployModel do. Watching starts on first need (the view shown, a recipe's CodeLens,
// the device picker, Deploy to…), only in a trusted workspace, restarts when the adb/ssh/node settings or the
// recipes' devices change, and stops on dispose.
import * as vscode from "vscode";
import type { DeviceListing } from "../../common/devices";
import { RECIPE_FILE_GLOB } from "../../common/recipe-language";
import { affects, readConfig } from "../config";
import { chooseEngineNode } from "../run/engine-process";
import { canRun, explainUntrusted, onDidGrantTrust } from "../run/trust";
import { deviceArgument } from "./device-address";
import { isReady } from "./device-listing";
import { DeviceModel, type LiveDevices } from "./device-model";
import { describeDevice, deviceDetails } from "./device-text";
import { DevicesWatcher, listDevicesOnce, type DevicesCliOptions } from "./devices-cli";
import { DEVICES_VIEW_ID, DevicesProvider, type DeviceNode } from "./devices-view";
import { deployModel } from "./deploy-command";
import { shellCommand } from "./shell-command";
import { knownTransport, recipesSignature, scanRecipes, transportsOf, type WorkspaceRecipe } from "./workspace-recipes";

export interface DeviceHost {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** Runs a recipe as an `edge` task with `--device device` (the run features). */
  runRecipe(recipe: vscode.Uri, device: string): Promise<unknown>;
}

/** What tests see of the device features (through the extension's API). */
export interface DevicesApi {
  list(): readonly DeviceListing[];
  readonly onDidChange: vscode.Event<void>;
  /** The labels of the Devices view's items now. */
  viewLabels(): string[];
  /** Restarts the watcher (a test changed the environment adb runs in). */
  restart(): void;
}

export class DeviceFeatures implements LiveDevices, vscode.Disposable {
  readonly model = new DeviceModel();
  private readonly provider: DevicesProvider;
  private readonly watcher: DevicesWatcher;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private recipes: WorkspaceRecipe[] = [];
  private signature = "";
  private starting: Promise<void> | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: DeviceHost) {
    this.provider = new DevicesProvider(this.model, canRun);
    this.watcher = new DevicesWatcher(() => this.cliOptions(), {
      onLine: (line) => {
        if (this.model.acceptLine(line)) this.model.setWatch({ state: "watching" });
        else if (line.trim() !== "") host.log.info(`[edge devices] ${line}`);
      },
      onLog: (text) => host.log.info(`edge devices: ${text}`),
      onStarted: () => this.model.setWatch({ state: "starting" }),
      onFailed: (message, retryMs) => {
        host.log.warn(`edge devices: ${message}; restarting in ${retryMs} ms`);
        this.model.setWatch({ state: "failed", message, retryMs });
      },
    });
    const view = vscode.window.createTreeView(DEVICES_VIEW_ID, { treeDataProvider: this.provider });
    const recipeWatcher = vscode.workspace.createFileSystemWatcher(RECIPE_FILE_GLOB);
    const rescan = () => this.rescanSoon();
    this.disposables.push(
      this.provider,
      view,
      this.changed,
      this.model.onDidChange(() => this.changed.fire()),
      view.onDidChangeVisibility((e) => {
        if (e.visible) this.ensureWatching();
      }),
      recipeWatcher,
      recipeWatcher.onDidCreate(rescan),
      recipeWatcher.onDidChange(rescan),
      recipeWatcher.onDidDelete(rescan),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (["adb.path", "ssh.path", "node.path"].some((k) => affects(event, k)) && this.watcher.running) {
          host.log.info("edge devices: settings changed; restarting the watcher");
          this.watcher.restart();
        }
      }),
      onDidGrantTrust(() => {
        this.provider.refresh();
        if (view.visible) this.ensureWatching();
      }),
    );
    if (view.visible) this.ensureWatching();
  }

  // LiveDevices
  get devices(): readonly DeviceListing[] {
    return this.model.devices;
  }
  get listed(): boolean {
    return this.model.listed;
  }
  get watch() {
    return this.model.watch;
  }
  readonly onDidChange = (listener: () => void) => this.changed.event(listener);

  ensureWatching(): void {
    if (!canRun() || this.watcher.running || this.starting) return;
    this.starting = (async () => {
      this.model.setWatch({ state: "starting" });
      this.recipes = await scanRecipes().catch(() => []);
      this.signature = recipesSignature(this.recipes);
      this.watcher.start();
    })()
      .catch((error: unknown) => this.host.log.error(`edge devices: could not start watching: ${String(error)}`))
      .finally(() => (this.starting = undefined));
  }

  api(): DevicesApi {
    return {
      list: () => this.model.devices,
      onDidChange: this.changed.event,
      viewLabels: () => this.provider.labels(),
      restart: () => (this.watcher.running ? this.watcher.restart() : this.ensureWatching()),
    };
  }

  private cliOptions(): DevicesCliOptions {
    const config = readConfig();
    return {
      node: chooseEngineNode(config.nodePath),
      extensionPath: this.host.extension.extensionPath,
      cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.host.extension.extensionPath,
      recipes: this.recipes.map((r) => r.uri.fsPath),
      adbPath: config.adbPath,
      sshPath: config.sshPath,
    };
  }

  /** A recipe came, went or changed: restart the watcher when the devices the recipes define changed. */
  private rescanSoon(): void {
    clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => {
      void scanRecipes().then((recipes) => {
        this.recipes = recipes;
        const signature = recipesSignature(recipes);
        if (signature === this.signature) return;
        this.signature = signature;
        if (this.watcher.running) this.watcher.restart();
      });
    }, 500);
  }

  /** edge.refreshDevices: lists once now (`edge devices --json`) and (re)starts watching. */
  async refresh(): Promise<readonly DeviceListing[] | undefined> {
    if (!canRun()) {
      await explainUntrusted("listing devices");
      return undefined;
    }
    this.recipes = await scanRecipes();
    const options = this.cliOptions();
    const devices = await vscode.window.withProgress({ location: { viewId: DEVICES_VIEW_ID } }, () =>
      listDevicesOnce(options),
    );
    this.model.accept(devices);
    if (!this.watcher.running) this.ensureWatching();
    else if (this.model.watch.state === "failed") this.watcher.restart();
    return this.model.devices;
  }

  /** edge.runRecipeOnDevice ("Run Recipe Here…"): picks a recipe of the workspace and runs it on the device. */
  async runRecipeHere(arg?: unknown): Promise<unknown> {
    if (!canRun()) return explainUntrusted("running a recipe");
    const device = deviceOf(arg) ?? (await this.pickDevice("Run a recipe on…"));
    if (!device) return undefined;
    const recipes = await scanRecipes();
    if (recipes.length === 0) {
      void vscode.window.showInformationMessage("Edge: this workspace has no recipe (*.edge.yaml) to run.");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      recipes.map((r) => ({ label: vscode.workspace.asRelativePath(r.uri), uri: r.uri })),
      { title: `Edge: run a recipe on ${device.name}`, placeHolder: "Recipe to run" },
    );
    if (!picked) return undefined;
    const argument = deviceArgument(device, await transportsOf(picked.uri));
    this.host.log.info(`running ${picked.label} on ${device.name} as --device ${argument}`);
    return this.host.runRecipe(picked.uri, argument);
  }

  /** edge.openDeviceShell: a terminal running `adb -s SERIAL shell` or `ssh … HOST` (argument arrays). */
  async openShell(arg?: unknown): Promise<vscode.Terminal | undefined> {
    if (!canRun()) {
      await explainUntrusted("opening a shell on a device");
      return undefined;
    }
    const device = deviceOf(arg) ?? (await this.pickDevice("Open a shell on…", (d) => d.kind !== "local"));
    if (!device) return undefined;
    const config = readConfig();
    const command = shellCommand(
      device,
      { adbPath: config.adbPath, sshPath: config.sshPath },
      knownTransport(device, this.recipes),
    );
    if (typeof command === "string") {
      void vscode.window.showInformationMessage(`Edge: no shell for ${device.name}: ${command}.`);
      return undefined;
    }
    this.host.log.info(`shell on ${device.name}: ${command.shellPath} ${JSON.stringify(command.shellArgs)}`);
    const terminal = vscode.window.createTerminal({
      name: command.name,
      shellPath: command.shellPath,
      shellArgs: command.shellArgs,
    });
    terminal.show();
    return terminal;
  }

  /** edge.copyDeviceSerial / edge.copyDeviceAddress: the adb serial or the ssh address to the clipboard. */
  async copyAddress(arg?: unknown): Promise<string | undefined> {
    const device = deviceOf(arg) ?? (await this.pickDevice("Copy the address of…"));
    if (!device) return undefined;
    await vscode.env.clipboard.writeText(device.address);
    vscode.window.setStatusBarMessage(`Copied ${device.address}`, 3000);
    return device.address;
  }

  /** edge.deployModel ("Deploy to…") on an .onnx file. */
  async deployModel(arg?: unknown): Promise<vscode.Uri | undefined> {
    if (!canRun()) {
      await explainUntrusted("deploying a model");
      return undefined;
    }
    return deployModel(arg, {
      log: this.host.log,
      pickDevice: (title) => this.pickDevice(title, isReady),
      knownTransport: (device) => knownTransport(device, this.recipes),
      runRecipe: (recipe, device) => this.host.runRecipe(recipe, device),
    });
  }

  /** A QuickPick over the listed devices (listing once first when nothing was listed yet). */
  private async pickDevice(
    title: string,
    filter: (device: DeviceListing) => boolean = () => true,
  ): Promise<DeviceListing | undefined> {
    this.ensureWatching();
    if (!this.model.listed) await this.refresh();
    const devices = this.model.devices.filter(filter);
    if (devices.length === 0) {
      void vscode.window.showInformationMessage("Edge: no device to choose from (see the Devices view).");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      devices.map((device) => ({
        label: device.name,
        description: describeDevice(device),
        detail: deviceDetails(device).slice(1, 3).join(" · "),
        device,
      })),
      { title: `Edge: ${title}`, matchOnDescription: true },
    );
    return picked?.device;
  }

  dispose(): void {
    clearTimeout(this.rescanTimer);
    this.watcher.stop();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The device a command is about: a Devices view item, or a listing passed by a caller. */
function deviceOf(arg: unknown): DeviceListing | undefined {
  if (typeof arg !== "object" || arg === null) return undefined;
  const node = arg as Partial<DeviceNode> & Partial<DeviceListing>;
  if (node.type === "device" && "device" in node) return node.device;
  if (typeof node.name === "string" && typeof node.kind === "string" && typeof node.address === "string")
    return node as DeviceListing;
  return undefined;
}
