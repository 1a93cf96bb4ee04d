// Test helper: waiting for a file or folder to appear in a folder (a process's temporary file, to kill it while the
// file exists), through the filesystem's change notifications rather than a delay.
import { watch } from "node:fs";
import { readdirSync } from "node:fs";

/** Resolves with the first name in `dir` (which must exist) that `match` accepts, now or when it appears. */
export function waitForEntry(dir: string, match: (name: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name && match(name)) found(name);
    });
    const found = (name: string) => {
      watcher.close();
      resolve(name);
    };
    const already = readdirSync(dir).find(match);
    if (already) found(already);
  });
}
