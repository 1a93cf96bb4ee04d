// Fixtures of the hardening tests: a small model whose weight lives in an external data file (every quantization
// method and compile have something to do with it), the paths that name one of its files in other ways (a symlink,
// a hard link, a `dir/../` path), a fingerprint of its files to prove they are untouched, and the built CLI run with
// a time limit, so a hang fails a test instead of hanging the suite.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { DT, graph, model, node, tensor, valueInfo, values } from "../onnx/model-builder";
import { encodeNpy } from "../../engine/data/npy";
import type { Sample } from "../../engine/data/typed-tensor";

export const EDGE = resolve("bin/edge.js");

/** Width of the fixture's input and output: x [1, 64] → MatMul W [64, 64] → y [1, 64]. */
export const WIDTH = 64;

export interface SourceModel {
  dir: string;
  /** The .onnx file. */
  model: string;
  /** Its external data file (holding W). */
  data: string;
}

/**
 * Writes `dir/<name>` with its weight in `dir/<dataName>` (default `<name>.data`, the name writers give external
 * data). The model is written from memory, so it does not depend on any other file.
 */
export async function writeSourceModel(dir: string, name = "model.onnx", dataName?: string): Promise<SourceModel> {
  mkdirSync(dir, { recursive: true });
  const proto = model(
    graph({
      name: "matmul",
      nodes: [node("MatMul", ["x", "W"], ["y"], {}, { name: "mm" })],
      inputs: [valueInfo("x", DT.FLOAT, [1, WIDTH])],
      outputs: [valueInfo("y", DT.FLOAT, [1, WIDTH])],
      initializers: [tensor("W", [WIDTH, WIDTH], values(WIDTH * WIDTH, 7))],
    }),
    { opset: 17 },
  );
  const path = join(dir, name);
  const location = dataName ?? `${name}.data`;
  const written = await writeModel(proto, path, { externalData: { location, sizeThresholdBytes: 1024 } });
  if (written.externalTensors !== 1) throw new Error("the fixture's weight should be external");
  return { dir, model: path, data: join(dir, location) };
}

/** SHA-256 of each of the source model's files. */
export function fingerprint(source: SourceModel): string[] {
  return [source.model, source.data].map((f) => createHash("sha256").update(readFileSync(f)).digest("hex"));
}

/** Throws unless the source model still reads (external data checked) and loads in onnxruntime. */
export async function assertLoads(source: SourceModel): Promise<void> {
  const m = await readModel(source.model, { checkExternalData: true });
  await m.close();
  const session = await ort.InferenceSession.create(source.model, { logSeverityLevel: 3 });
  await session.release();
}

/** A calibration sample for int8-static. */
export function calibrationSample(): Sample {
  return { x: { dtype: "float32", shape: [1, WIDTH], data: Float32Array.from(values(WIDTH, 3)) } };
}

/** Writes `x.npy` (one calibration sample) into `dir`; returns its path. */
export function writeCalibrationNpy(dir: string): string {
  const path = join(dir, "x.npy");
  const sample = calibrationSample().x;
  writeFileSync(path, encodeNpy(sample));
  return path;
}

/**
 * Output paths that all name one of `source`'s files: the same path, the external data file, a symlink to it, a
 * hard link to it, a symlink to the model, and a `dir/../` path to the data file.
 * `aside` is a folder beside the source where the links are made.
 */
export function collidingOutputs(source: SourceModel, aside: string): { label: string; out: string }[] {
  mkdirSync(aside, { recursive: true });
  mkdirSync(join(source.dir, "sub"), { recursive: true });
  const symlink = join(aside, "symlink.onnx");
  symlinkSync(source.data, symlink);
  const hardlink = join(aside, "hardlink.onnx");
  linkSync(source.data, hardlink);
  const modelLink = join(aside, "model-symlink.onnx");
  symlinkSync(source.model, modelLink);
  return [
    { label: "the model itself", out: source.model },
    { label: "the external data file", out: source.data },
    { label: "a symlink to the external data file", out: symlink },
    { label: "a hard link to the external data file", out: hardlink },
    { label: "a symlink to the model", out: modelLink },
    {
      label: "a dir/../ path to the external data file",
      out: `${source.dir}/sub/../${source.data.slice(source.dir.length + 1)}`,
    },
  ];
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The built CLI with a 20 s limit: a hang ends as a killed process (status null), which every test refuses. */
export function edge(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [EDGE, ...args], { cwd, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
