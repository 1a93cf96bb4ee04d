// The server's state for the client's status item, sent as `edge/status` (server → client) and only when it changes.
// Also wraps the world host so reading a model shows as "busy" while it is in flight. The server never pops up
// messages: this notification and the log are how it speaks.
import type { Connection } from "vscode-languageserver/node";
import { basename } from "node:path";
import { DidChangeStatusNotification, type ServerState, type StatusParams } from "../protocol";
import type { ModelSummaryResult, WorldHost } from "../world/world-host";

export class StatusReporter {
  private last: StatusParams | undefined;
  private ready = false;
  private readonly reads = new Map<string, number>();

  constructor(private readonly connection: Connection) {}

  /** Notifications may flow once the client has answered `initialized`; earlier states are kept and sent then. */
  start(): void {
    this.ready = true;
    if (this.last) this.send(this.last);
  }

  set(state: ServerState, message: string, detail?: string): void {
    const next: StatusParams = detail === undefined ? { state, message } : { state, message, detail };
    if (
      this.last &&
      this.last.state === next.state &&
      this.last.message === next.message &&
      this.last.detail === next.detail
    )
      return;
    this.last = next;
    if (this.ready) this.send(next);
  }

  get current(): StatusParams | undefined {
    return this.last;
  }

  /** The same world, with model reads reported as "busy" until every read in flight has settled. */
  trackWorld(world: WorldHost): WorldHost {
    const modelSummary = (path: string): Promise<ModelSummaryResult> => {
      if (world.cachedModelSummary(path)) return world.modelSummary(path);
      this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
      this.showReads();
      const done = () => {
        const left = (this.reads.get(path) ?? 1) - 1;
        if (left <= 0) this.reads.delete(path);
        else this.reads.set(path, left);
        this.showReads();
      };
      try {
        return world.modelSummary(path).finally(done);
      } catch (error) {
        done();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    // Delegation by hand (not a prototype chain), so a host class with private fields keeps working.
    return {
      modelSummary,
      cachedModelSummary: (path) => world.cachedModelSummary(path),
      adbDevices: () => world.adbDevices(),
      sshHosts: () => world.sshHosts(),
      pathKind: (path) => world.pathKind(path),
      listDirectory: (path) => world.listDirectory(path),
      quantFindings: (recipe, name) => world.quantFindings(recipe, name),
      get homeDir() {
        return world.homeDir;
      },
    };
  }

  private showReads(): void {
    if (this.reads.size === 0) {
      if (this.last?.state === "busy") this.set("ready", "Edge recipes: ready");
      return;
    }
    const paths = [...this.reads.keys()];
    const names = paths.map((p) => basename(p)).join(", ");
    this.set("busy", `Reading model ${names}…`, paths.join("\n"));
  }

  private send(params: StatusParams): void {
    this.connection.sendNotification(DidChangeStatusNotification.method, params).catch(() => {
      // The client went away; nothing to tell.
    });
  }
}
