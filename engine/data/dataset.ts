// Dataset readers for run feeds (and later calibration/evaluation): a path and a format in, a list of samples out.
//
// Layouts:
// - format "npy", a directory: DIR/<sample>/<input>.npy. Each subdirectory is one sample (taken in natural name
//   order, so sample-2 comes before sample-10); each .npy file in it is the tensor of the input named like the file
//   (x.npy feeds input "x"). Other files are ignored.
// - format "npy", a file: one sample with one tensor, named by the file (x.npy feeds input "x").
// - format "json": see json-tensors.ts (one sample object or a list of them).
// - format "text": UTF-8 text tokenized with a tokenizer.json into windows of input_ids [1, L] (see text.ts).
// - format "npz": one array per model input, samples along the first axis (see npz.ts).
import { promises as fs } from "node:fs";
import { basename, extname, join } from "node:path";
import { EdgeError } from "../errors";
import { fileKind } from "../fs/regular-file";
import { readJsonTensors } from "./json-tensors";
import { readNpy } from "./npy";
import { readNpzDataset } from "./npz";
import { readTextDataset } from "./text";
import type { Sample } from "./typed-tensor";

export type DatasetFormat = "npy" | "json" | "npz" | "text";

export interface ReadDatasetOptions {
  /** Taken from the file extension when absent (a directory means "npy"). */
  format?: DatasetFormat;
  /** Read at most this many samples. */
  maxSamples?: number;
  /** format "text": the tokenizer.json, and the window length in tokens (default 128). */
  tokenizer?: string;
  sequenceLength?: number;
  /** format "npz": model input name → array name (default: arrays feed the inputs of their own names). */
  inputs?: Record<string, string>;
}

const naturalOrder = new Intl.Collator("en", { numeric: true }).compare;

function inferFormat(path: string, isDirectory: boolean): DatasetFormat {
  if (isDirectory) return "npy";
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return "npy";
  if (ext === ".json") return "json";
  if (ext === ".npz") return "npz";
  if (ext === ".txt") return "text";
  throw new EdgeError(
    "run/input",
    `cannot tell the dataset format of ${path}`,
    { file: path },
    "name the format: npy (a file or a directory of samples) or json",
  );
}

async function readSampleDirectory(dir: string, maxSamples: number): Promise<Sample[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const sampleDirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort(naturalOrder);
  if (sampleDirs.length === 0) {
    throw new EdgeError(
      "run/input",
      `${dir} has no sample directories`,
      { file: dir },
      "lay samples out as DIR/<sample>/<input>.npy, e.g. data/sample-0/x.npy",
    );
  }
  const samples: Sample[] = [];
  for (const name of sampleDirs.slice(0, maxSamples)) {
    const sampleDir = join(dir, name);
    const files = (await fs.readdir(sampleDir)).filter((f) => f.endsWith(".npy")).sort(naturalOrder);
    if (files.length === 0)
      throw new EdgeError(
        "run/input",
        `sample directory ${sampleDir} has no .npy files`,
        { file: sampleDir },
        "each sample needs one <input>.npy per model input",
      );
    const sample: Sample = {};
    for (const file of files) sample[basename(file, ".npy")] = await readNpy(join(sampleDir, file));
    samples.push(sample);
  }
  return samples;
}

/** Reads a dataset into samples. Every failure is an EdgeError `run/input` naming the file. */
export async function readDataset(path: string, options: ReadDatasetOptions = {}): Promise<Sample[]> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    throw new EdgeError(
      "run/input",
      `cannot read dataset ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { file: path },
    );
  }
  // A FIFO would block the reader, a device would never end: only files and folders of them are datasets.
  if (!stat.isDirectory() && !stat.isFile())
    throw new EdgeError(
      "data/invalid",
      `dataset ${path} is not a regular file (${fileKind(stat)})`,
      { file: path },
      "a dataset is a file or a folder of files, not a pipe or a device",
    );
  const format = options.format ?? inferFormat(path, stat.isDirectory());
  const maxSamples = options.maxSamples ?? Infinity;
  switch (format) {
    case "npy":
      if (stat.isDirectory()) return readSampleDirectory(path, maxSamples);
      return [{ [basename(path, extname(path))]: await readNpy(path) }];
    case "json":
      return (await readJsonTensors(path)).slice(0, maxSamples);
    case "npz":
      return readNpzDataset(path, { inputs: options.inputs, maxSamples: options.maxSamples });
    case "text":
      if (!options.tokenizer)
        throw new EdgeError(
          "run/input",
          `${path}: a text dataset needs a tokenizer`,
          { file: path },
          "give the tokenizer.json (tokenizer: under the dataset, or --tokenizer)",
        );
      return readTextDataset(path, {
        tokenizer: options.tokenizer,
        sequenceLength: options.sequenceLength,
        maxSamples: options.maxSamples,
      });
  }
}
