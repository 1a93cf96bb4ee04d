// Runs a recipe's exporter (`model.export`) when `model.path` is missing or was made with other settings: the
// exporter writes into a temporary folder beside the model's folder, its output is checked (the model file is there
// and reads as ONNX), a stamp (`.edge-export.json`) recording the settings is added, and only then does the
// temporary folder replace the model's folder. A failed, stopped or missing exporter leaves the previous export (or
// nothing) in place. The folder must be the export's own: a folder holding files no export made, or the recipe's
// own folder or one above it, is refused, so an export never deletes a user's files.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { writeFileAtomic } from "../fs/atomic";
import { makeTempDir, releaseTempPath, removeTempPath } from "../fs/temp-paths";
import { tempName } from "../fs/temp-names";
import { writeError } from "../fs/write-errors";
import { readModelSignature } from "../onnx/signature";
import type { ModelExport } from "../recipe/recipe-types.generated";
import { ENGINE_VERSION } from "../version";
import { exportInvocation, exportKey } from "./export-spec";
import { findProgram } from "../fs/find-program";

export const EXPORT_STAMP_FILE = ".edge-export.json";

/** What `.edge-export.json` holds. */
export interface ExportStamp {
  key: string;
  command: string;
  exportedAt: string;
  durationMs: number;
  engineVersion: string;
}

export interface ExportOptions {
  /** `model.export`. */
  spec: ModelExport;
  /** `model.path`, resolved (the file the export must produce). */
  modelPath: string;
  /** The recipe's folder: the exporter runs there, relative names are resolved there. */
  recipeDir: string;
  /** The recipe file, for errors. */
  recipeFile?: string;
  sink: EventSink;
  signal?: AbortSignal;
  /** Export even when an export with the same settings is in place. */
  force?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface ExportOutcome {
  /** Whether the exporter ran (false: the model in place was made with the same settings). */
  exported: boolean;
  reason: "missing" | "changed" | "forced" | "up-to-date";
  outDir: string;
  command: string;
  durationMs?: number;
}

/** Lines of the exporter's output kept for an error message. */
const TAIL_LINES = 30;

/** Exports when needed (see the header); throws `model/export` (or `io/write`) when it cannot. */
export async function ensureExported(o: ExportOptions): Promise<ExportOutcome> {
  const outDir = dirname(o.modelPath);
  const modelName = basename(o.modelPath);
  const where = { file: o.recipeFile };
  refuseUnsafeFolder(outDir, o.recipeDir, where);
  const key = exportKey(o.spec, modelName);
  const stamp = readStamp(outDir);
  const current = existsSync(o.modelPath) && stamp?.key === key;
  const reason = o.force ? "forced" : !existsSync(o.modelPath) ? "missing" : stamp?.key !== key ? "changed" : undefined;
  const planned = exportInvocation(o.spec, { outDir, modelName, recipeDir: o.recipeDir, env: o.env });
  if (current && !o.force) return { exported: false, reason: "up-to-date", outDir, command: planned.display };
  if (existsSync(outDir) && !stamp && readdirSync(outDir).length > 0)
    throw new EdgeError(
      "model/export",
      `model.export would replace ${outDir}, which holds files no export made`,
      where,
      `give the exported model a folder of its own, e.g. model.path: exported/${modelName}`,
    );

  const program = findProgram(planned.program, { cwd: o.recipeDir, env: o.env });
  if (!program)
    throw new EdgeError(
      "model/export",
      `the exporter \`${planned.program}\` is not installed (not found on PATH)`,
      where,
      planned.installHint,
    );
  const tmp = await makeTempDir(outDir);
  const invocation = exportInvocation(o.spec, { outDir: tmp, modelName, recipeDir: o.recipeDir, env: o.env });
  o.sink.emit({ type: "log", level: "info", message: `export (${reason}): ${planned.display}` });
  const started = performance.now();
  try {
    await runExporter(program, invocation.args, { ...o, display: planned.display, where });
    const produced = join(tmp, modelName);
    if (!existsSync(produced)) {
      const models = listModels(tmp);
      throw new EdgeError(
        "model/export",
        `the exporter finished but wrote no ${modelName}${models.length ? ` (it wrote ${models.join(", ")})` : " (no .onnx file at all)"}`,
        where,
        models.length
          ? `set model.path to the file you want, e.g. ${join(relative(o.recipeDir, outDir) || ".", models[0])}`
          : undefined,
      );
    }
    try {
      await readModelSignature(produced);
    } catch (e) {
      throw new EdgeError(
        "model/export",
        `the exporter wrote ${modelName}, but it is not a readable ONNX model: ${(e as Error).message}`,
        where,
      );
    }
    const durationMs = performance.now() - started;
    const written: ExportStamp = {
      key,
      command: planned.display,
      exportedAt: new Date().toISOString(),
      durationMs: Math.round(durationMs),
      engineVersion: ENGINE_VERSION,
    };
    await writeFileAtomic(join(tmp, EXPORT_STAMP_FILE), `${JSON.stringify(written, null, 2)}\n`);
    await swapInto(tmp, outDir);
    o.sink.emit({
      type: "log",
      level: "info",
      message: `export: wrote ${o.modelPath} in ${(durationMs / 1000).toFixed(1)} s`,
    });
    return { exported: true, reason: reason ?? "forced", outDir, command: planned.display, durationMs };
  } finally {
    await removeTempPath(tmp);
  }
}

/** The folder an export replaces may be neither the recipe's folder nor one holding it, nor a filesystem root. */
function refuseUnsafeFolder(outDir: string, recipeDir: string, where: { file?: string }): void {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const out = real(outDir);
  const recipe = real(recipeDir);
  if (out === dirname(out) || recipe === out || recipe.startsWith(out.endsWith(sep) ? out : out + sep))
    throw new EdgeError(
      "model/export",
      `model.export writes its own folder, and ${outDir} holds the recipe`,
      where,
      "give the exported model a folder of its own, e.g. model.path: exported/model.onnx",
    );
}

function readStamp(outDir: string): ExportStamp | undefined {
  try {
    const value = JSON.parse(readFileSync(join(outDir, EXPORT_STAMP_FILE), "utf8")) as ExportStamp;
    return typeof value?.key === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function listModels(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".onnx"))
      .sort();
  } catch {
    return [];
  }
}

/** Puts the finished temporary folder in place of `outDir` (the old folder moved aside first, then removed). */
async function swapInto(tmp: string, outDir: string): Promise<void> {
  const old = existsSync(outDir) ? tempName(outDir) : undefined;
  try {
    if (old) await rename(outDir, old);
    await rename(tmp, outDir);
    releaseTempPath(tmp);
  } catch (e) {
    if (old && !existsSync(outDir)) await rename(old, outDir).catch(() => undefined);
    throw writeError(e, outDir, "cannot put the export in place");
  }
  if (old) await rm(old, { recursive: true, force: true });
}

/** Runs the exporter, its output lines as `log` events; a non-zero exit or a stop is an error. */
function runExporter(
  program: string,
  args: string[],
  o: ExportOptions & { display: string; where: { file?: string } },
): Promise<void> {
  return new Promise((resolveRun, reject) => {
    if (o.signal?.aborted) return reject(stopped(o));
    const child = spawn(program, args, {
      cwd: o.recipeDir,
      env: o.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: process.platform !== "win32",
    });
    const tail: string[] = [];
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop() ?? "";
        for (const line of parts) said(line);
      });
      stream.on("end", () => rest && said(rest));
    };
    const said = (line: string) => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      o.sink.emit({ type: "log", level: "info", message: `export: ${line}` });
    };
    lines(child.stdout);
    lines(child.stderr);
    const kill = () => {
      try {
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, "SIGTERM");
        else child.kill("SIGTERM");
      } catch {
        // already gone
      }
    };
    o.signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (e) => {
      o.signal?.removeEventListener("abort", kill);
      reject(new EdgeError("model/export", `cannot start the exporter ${o.display}: ${e.message}`, o.where));
    });
    child.on("close", (code, signal) => {
      o.signal?.removeEventListener("abort", kill);
      if (o.signal?.aborted) return reject(stopped(o));
      if (code === 0) return resolveRun();
      const how = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
      reject(
        new EdgeError(
          "model/export",
          `the exporter ${how}: ${o.display}${tail.length ? `\n${tail.slice(-10).join("\n")}` : ""}`,
          o.where,
          "its whole output is in the run's log (`export:` lines)",
        ),
      );
    });
  });
}

function stopped(o: { where: { file?: string } }): EdgeError {
  return new EdgeError("run/aborted", "the export was stopped; the previous export (if any) is unchanged", o.where);
}
