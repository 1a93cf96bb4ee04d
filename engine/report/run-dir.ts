// Run ids and directories: `.edge/runs/<YYYYMMDD-HHMMSS>-<recipe>-<device>/`, local time, names sanitized to
// [A-Za-z0-9._-], made unique with a -2, -3… suffix when two runs start in the same second. `openRunDir` gives a run
// its folder: locked for the run (fs/folder-lock.ts; a second run on the same folder is refused with `run/busy`),
// swept of what killed runs left (fs/stale-temps.ts), and, when it holds a previous run, cleared of that run's files
// (only the names a run writes; anything else in the folder stays).
import { EVALUATION_FILE, QUANT_ERROR_FILE } from "../../common/evaluation";
import { PARTITIONS_FILE } from "../../common/partitions";
import { PROFILE_FILE } from "../../common/profile-summary";
import { RECIPE_RESOLVED_FILE, REPORT_JSON_FILE, REPORT_MD_FILE } from "../../common/report";
import { existsSync, promises as fs } from "node:fs";
import { basename, join } from "node:path";
import { EdgeError } from "../errors";
import { type FolderLock, type LockHolder, tryLockFolder } from "../fs/folder-lock";
import { sweepRunsFolder, sweepStaleTempsOnce } from "../fs/stale-temps";
import { releaseTempPath, trackTempPath } from "../fs/temp-paths";
import { ensureDir, writeError } from "../fs/write-errors";

export interface RunDir {
  runId: string;
  dir: string;
}

/** A file-name-safe part: runs of other characters become "-", at most 40 characters, "x" if nothing is left. */
export function sanitizeName(name: string): string {
  const clean = name
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return clean || "x";
}

export function timestampId(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export function runIdFor(recipe: string, device: string, date: Date): string {
  return `${timestampId(date)}-${sanitizeName(recipe)}-${sanitizeName(device)}`;
}

/** Creates the run's directory under `runsRoot` (e.g. "<workspace>/.edge/runs") and returns its id and path. */
export async function createRunDir(
  runsRoot: string,
  recipe: string,
  device: string,
  date = new Date(),
): Promise<RunDir> {
  const base = runIdFor(recipe, device, date);
  try {
    await ensureDir(runsRoot);
    for (let n = 1; ; n++) {
      const runId = n === 1 ? base : `${base}-${n}`;
      const dir = join(runsRoot, runId);
      try {
        await fs.mkdir(dir);
        return { runId, dir };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || n >= 1000) throw e;
      }
    }
  } catch (e) {
    throw writeError(e, runsRoot, "cannot create a run directory under");
  }
}

/** The files every run may write into its folder, besides its models (`model.<step>.onnx`, `.data` beside them). */
export const RUN_FOLDER_FILES: readonly string[] = [
  REPORT_JSON_FILE,
  REPORT_MD_FILE,
  PROFILE_FILE,
  RECIPE_RESOLVED_FILE,
  EVALUATION_FILE,
  QUANT_ERROR_FILE,
  PARTITIONS_FILE,
];
const RUN_FILES = new Set(RUN_FOLDER_FILES);
const RUN_MODEL = /^model\.[A-Za-z0-9._-]+\.onnx(\.data)?$/;

/** Whether `name` is a file a run writes into its folder. */
export function isRunFile(name: string): boolean {
  return RUN_FILES.has(name) || RUN_MODEL.test(name);
}

export interface OpenRunDir extends RunDir {
  /** The run's hold on the folder: release it when the run has written its last file. */
  lock: FolderLock;
  /** The previous run's files removed from a reused folder (paths). */
  cleared: string[];
}

/**
 * The folder a run writes: `where.dir` as given (made when missing; its last part is the run id), else a new folder
 * under `where.runsRoot`. The runs folder (and each run folder in it) is swept of dead runs' temporary files and
 * locks first; the folder is locked for the run (`run/busy` when another live run holds it); a previous run's files
 * in it (when it holds one: its report.json or recipe.resolved.json) are removed. `purpose` goes into the lock.
 */
export async function openRunDir(
  where: { dir: string; runsRoot: string } | { runsRoot: string; recipe: string; device: string },
  purpose: string,
): Promise<OpenRunDir> {
  sweepRunsFolder(where.runsRoot);
  let runDir: RunDir;
  if ("dir" in where) {
    await ensureDir(where.dir);
    sweepStaleTempsOnce(where.dir);
    runDir = { runId: basename(where.dir), dir: where.dir };
  } else {
    runDir = await createRunDir(where.runsRoot, where.recipe, where.device);
  }
  const lock = lockRunDir(runDir.dir, purpose);
  try {
    return { ...runDir, lock, cleared: await clearPreviousRun(runDir.dir) };
  } catch (e) {
    lock.release();
    throw e;
  }
}

function lockRunDir(dir: string, purpose: string): FolderLock {
  let taken: ReturnType<typeof tryLockFolder>;
  try {
    taken = tryLockFolder(dir, purpose);
  } catch (e) {
    throw writeError(e, dir, "cannot lock the run folder");
  }
  if ("holder" in taken) throw busyError(dir, taken.holder);
  // Tracked as temporary: a run stopped at once removes its lock on the way out.
  const path = trackTempPath(taken.lock.path);
  return {
    path,
    release: () => {
      taken.lock.release();
      releaseTempPath(path);
    },
  };
}

function busyError(dir: string, holder: LockHolder): EdgeError {
  const who = [
    holder.purpose ? `"${holder.purpose}"` : "another run",
    holder.pid !== undefined ? `process ${holder.pid}` : undefined,
    holder.since ? `since ${holder.since}` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const hint =
    holder.state === "alive"
      ? "wait for that run to end, or stop it, or give this run another folder with `--out DIR`"
      : `its owner cannot be checked from here (another machine or container, or an unreadable lock): if no run uses the folder, delete ${holder.path}`;
  return new EdgeError("run/busy", `the run folder ${dir} is in use by ${who}`, { where: { file: dir }, hint });
}

/** Removes a previous run's files from `dir` when it holds a previous run; returns what it removed. */
async function clearPreviousRun(dir: string): Promise<string[]> {
  if (!existsSync(join(dir, REPORT_JSON_FILE)) && !existsSync(join(dir, RECIPE_RESOLVED_FILE))) return [];
  const cleared: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !isRunFile(entry.name)) continue;
    const path = join(dir, entry.name);
    try {
      await fs.rm(path, { force: true });
    } catch (e) {
      throw writeError(e, path, "cannot remove the previous run's file");
    }
    cleared.push(path);
  }
  return cleared;
}
