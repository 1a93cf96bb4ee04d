// The devices the editor knows now, in one place: the last listing from the engine (merged by device-listing.ts) and
// the state of the watcher that feeds it. The Devices view, the CodeLens, the device picker and "Deploy to…" read it
// and listen to it. No VS Code and no process here (device-features.ts feeds it), so tests drive it with lines.
import type { DeviceListing } from "../../common/devices";
import { mergeListing, parseListingLine, type MergedListing } from "./device-listing";

export type WatchState =
  /** Nothing asked for devices yet (or the workspace is untrusted). */
  | { state: "idle" }
  | { state: "starting" }
  | { state: "watching" }
  /** The watcher died; it is restarted after `retryMs`. */
  | { state: "failed"; message: string; retryMs?: number };

export interface LiveDevices {
  /** The devices of the last listing (empty before the first). */
  readonly devices: readonly DeviceListing[];
  /** True once a listing arrived. */
  readonly listed: boolean;
  readonly watch: WatchState;
  onDidChange(listener: () => void): { dispose(): void };
  /** Starts watching devices when it is allowed and not running yet (cheap to call often). */
  ensureWatching(): void;
}

export class DeviceModel {
  private current: DeviceListing[] = [];
  private hasListing = false;
  private watchState: WatchState = { state: "idle" };
  private readonly listeners = new Set<() => void>();

  get devices(): readonly DeviceListing[] {
    return this.current;
  }

  get listed(): boolean {
    return this.hasListing;
  }

  get watch(): WatchState {
    return this.watchState;
  }

  /** Takes one line of `edge devices --json`; the merge when it was a listing, undefined otherwise. */
  acceptLine(line: string): MergedListing | undefined {
    const parsed = parseListingLine(line);
    return parsed ? this.accept(parsed.devices) : undefined;
  }

  /** Takes a whole listing (a watcher line or a Refresh) and tells the listeners when anything changed. */
  accept(devices: readonly DeviceListing[]): MergedListing {
    const merged = mergeListing(this.current, devices);
    const first = !this.hasListing;
    this.current = merged.devices;
    this.hasListing = true;
    if (merged.changed || first) this.fire();
    return merged;
  }

  setWatch(state: WatchState): void {
    if (JSON.stringify(state) === JSON.stringify(this.watchState)) return;
    this.watchState = state;
    this.fire();
  }

  /** Forgets the devices (the workspace lost trust, or watching stopped for good). */
  clear(): void {
    const had = this.hasListing;
    this.current = [];
    this.hasListing = false;
    if (had) this.fire();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private fire(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
