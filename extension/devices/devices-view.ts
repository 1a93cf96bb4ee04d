// The Devices view (`edge.devices`, in the Explorer): this machine, attached adb devices as they come and go, and the
// ssh hosts of the workspace's recipes and of ~/.ssh/config, from the engine's listing (device-model.ts), with the
// probe in each item's description and tooltip. In an untrusted workspace, or before and when listing fails, one
// message item says why.
import * as vscode from "vscode";
import type { DeviceListing } from "../../common/devices";
import { deviceKey, isReady } from "./device-listing";
import type { DeviceModel } from "./device-model";
import { describeDevice, deviceDetails } from "./device-text";

export const DEVICES_VIEW_ID = "edge.devices";
/** `viewItem` of a device: `edgeDevice.<kind>`, plus `.ready` when a run can start on it. */
export const DEVICE_ITEM_CONTEXT = "edgeDevice";

export type DeviceNode =
  | { type: "device"; device: DeviceListing }
  | { type: "message"; label: string; tooltip?: string; icon: string; command?: vscode.Command };

const ICONS: Record<DeviceListing["kind"], string> = { local: "vm", adb: "device-mobile", ssh: "remote" };

export class DevicesProvider implements vscode.TreeDataProvider<DeviceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly model: DeviceModel,
    private readonly trusted: () => boolean,
  ) {
    this.subscription = model.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: DeviceNode): DeviceNode[] {
    if (element) return [];
    if (!this.trusted())
      return [
        {
          type: "message",
          label: "Devices need a trusted workspace",
          tooltip:
            "Listing devices runs adb and ssh and probes the devices, which is disabled in an untrusted workspace. Trust the workspace to see them.",
          icon: "workspace-untrusted",
          command: { title: "Manage Workspace Trust", command: "workbench.trust.manage" },
        },
      ];
    const watch = this.model.watch;
    if (!this.model.listed) {
      if (watch.state === "failed")
        return [
          {
            type: "message",
            label: `Could not list devices: ${watch.message}`,
            tooltip: `${watch.message}${watch.retryMs ? `\nTrying again in ${Math.round(watch.retryMs / 1000)} s.` : ""}`,
            icon: "error",
            command: { title: "Show Log", command: "edge.showLog" },
          },
        ];
      return [{ type: "message", label: "Looking for devices…", icon: "loading~spin" }];
    }
    const nodes: DeviceNode[] = this.model.devices.map((device) => ({ type: "device", device }));
    if (watch.state === "failed")
      nodes.push({
        type: "message",
        label: "Not watching for changes",
        tooltip: watch.message,
        icon: "warning",
        command: { title: "Show Log", command: "edge.showLog" },
      });
    return nodes;
  }

  getTreeItem(node: DeviceNode): vscode.TreeItem {
    if (node.type === "message") {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.tooltip;
      item.command = node.command;
      item.contextValue = "edgeDeviceMessage";
      return item;
    }
    const { device } = node;
    const item = new vscode.TreeItem(device.name, vscode.TreeItemCollapsibleState.None);
    item.id = deviceKey(device);
    item.description = describeDevice(device);
    item.tooltip = deviceDetails(device).join("\n");
    const ready = isReady(device);
    item.iconPath = new vscode.ThemeIcon(
      ICONS[device.kind],
      ready ? undefined : new vscode.ThemeColor("disabledForeground"),
    );
    item.contextValue = `${DEVICE_ITEM_CONTEXT}.${device.kind}${ready ? ".ready" : ""}`;
    return item;
  }

  /** The labels the view shows now (tests). */
  labels(): string[] {
    return this.getChildren().map((n) => (n.type === "device" ? n.device.name : n.label));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
