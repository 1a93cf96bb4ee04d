// Model summaries cached by path, size and modification time: a touched file is read again, concurrent requests
// for the same file share one read, and only the most recently used few are kept (a summary holds every node).
// A read of a file that changed while it was being read is superseded: it is cancelled and its result not kept.
// A summary's lookup index is built when it arrives, so requests find it ready.
import { promises as fs, statSync } from "node:fs";
import { resolve } from "node:path";
import { modelIndex } from "./model-index";
import type { ModelSummaryResult } from "./world-host";

interface CacheEntry {
  key: string;
  result: ModelSummaryResult;
}

/** `path|size|mtime`, or `path|missing` when nothing is there. */
function keyOf(path: string, stat: { size: number; mtimeMs: number; isFile(): boolean } | undefined): string {
  if (!stat) return `${path}|missing`;
  return `${path}|${stat.size}|${stat.mtimeMs}|${stat.isFile() ? "f" : "d"}`;
}

export class ModelSummaryCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ModelSummaryResult>>();
  /** Per path, the read in progress and how to cancel it (a newer version of the file supersedes it). */
  private readonly running = new Map<string, { key: string; controller: AbortController }>();
  /** How many times the reader ran (for tests and the status). */
  reads = 0;

  constructor(
    private readonly read: (absolutePath: string, signal: AbortSignal) => Promise<ModelSummaryResult>,
    private readonly maxEntries = 8,
  ) {}

  /** The cached result if the file is unchanged since it was read; never reads the model. */
  cached(path: string): ModelSummaryResult | undefined {
    const absolute = resolve(path);
    let stat;
    try {
      stat = statSync(absolute);
    } catch {
      stat = undefined;
    }
    const entry = this.entries.get(absolute);
    if (!entry || entry.key !== keyOf(absolute, stat)) return undefined;
    this.touch(absolute, entry);
    return entry.result;
  }

  /** The summary, read (once, however many ask at the same time) when the file changed or was never read. */
  async get(path: string): Promise<ModelSummaryResult> {
    const absolute = resolve(path);
    const stat = await fs.stat(absolute).catch(() => undefined);
    const key = keyOf(absolute, stat);
    const entry = this.entries.get(absolute);
    if (entry && entry.key === key) {
      this.touch(absolute, entry);
      return entry.result;
    }
    const running = this.inflight.get(key);
    if (running) return running;
    const reading = this.readAndStore(absolute, key);
    this.inflight.set(key, reading);
    try {
      return await reading;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async readAndStore(absolute: string, key: string): Promise<ModelSummaryResult> {
    this.reads++;
    const older = this.running.get(absolute);
    if (older && older.key !== key) older.controller.abort();
    const controller = new AbortController();
    const mine = { key, controller };
    this.running.set(absolute, mine);
    let result: ModelSummaryResult;
    try {
      result = await this.read(absolute, controller.signal);
    } catch (error) {
      result = {
        ok: false,
        error: { code: "internal/bug", message: `reading the model failed: ${(error as Error).message}` },
      };
    }
    if (this.running.get(absolute) === mine) this.running.delete(absolute);
    // A superseded read's result is for a file that is no longer there: not kept, never over a newer one.
    if (controller.signal.aborted) return result;
    // Index it now, off the requests that will use it (50,000 nodes take tens of milliseconds).
    if (result.ok) modelIndex(result.summary);
    this.touch(absolute, { key, result });
    return result;
  }

  private touch(absolute: string, entry: CacheEntry): void {
    this.entries.delete(absolute);
    this.entries.set(absolute, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
