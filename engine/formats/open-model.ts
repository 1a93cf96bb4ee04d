// Opens a model file with the format plug-in that recognizes it. The formats are tried in order of how sure they
// are; a file none claims is read as ONNX (the default), whose reader explains exactly where and why it fails.
import type { FileHandle } from "node:fs/promises";
import { EdgeError } from "../errors";
import { openRegularFile } from "../fs/regular-file";
import { cannotRead, modelFile } from "../onnx/read-model";
import type { ModelFormat, OpenedModel, OpenOptions } from "./model-format";
import { onnxFormat } from "./onnx-format";
import { sniff, SNIFF_BYTES } from "../fs/sniff";

/** The registered formats, the default first. */
export const modelFormats: readonly ModelFormat[] = [onnxFormat];

async function readHead(path: string): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    // Never a FIFO (the open would block) or a device: model/invalid, as the ONNX reader says it.
    handle = (await openRegularFile(path, modelFile(path))).handle;
  } catch (e) {
    throw cannotRead(e, path);
  }
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The format that should read the file at `path`, given its first bytes. */
export function detectFormat(head: Uint8Array, path: string): ModelFormat {
  for (const sureness of ["yes", "maybe"] as const) {
    const format = modelFormats.find((f) => f.match(head, path) === sureness);
    if (format) return format;
  }
  return modelFormats[0];
}

/**
 * Opens a model with its format's plug-in. Throws `model/not-found`, `model/unsupported` for a model format we
 * recognize but do not read (TFLite, GGUF, a PyTorch checkpoint), or the format reader's `model/invalid`.
 */
export async function openModel(path: string, options?: OpenOptions): Promise<OpenedModel> {
  const head = await readHead(path);
  const format = detectFormat(head, path);
  const seen = sniff(head);
  if (seen?.otherModelFormat && format.match(head, path) !== "yes") {
    throw new EdgeError(
      "model/unsupported",
      `this looks like ${seen.description}, which edge does not read`,
      { file: path, offset: 0 },
      seen.advice,
    );
  }
  return format.open(path, options);
}
