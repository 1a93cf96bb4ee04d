// Recognizes what a file is from its first bytes, so errors can say "this looks like a JSON file" instead of
// only "invalid protobuf". Knows common non-model files and the model formats we do not read (yet).

export interface Sniffed {
  /** Short id: "empty", "json", "png", "tflite", "pytorch-zip", … */
  kind: string;
  /** For a sentence: "a JSON file", "a TensorFlow Lite model". */
  description: string;
  /** True for model formats other than ONNX (an unsupported model rather than an invalid one). */
  otherModelFormat?: boolean;
  /** What to do about it. */
  advice?: string;
}

/** How many head bytes `sniff` looks at; read at least this many. */
export const SNIFF_BYTES = 64;

function startsWith(head: Uint8Array, magic: number[] | string, at = 0): boolean {
  const bytes = typeof magic === "string" ? [...magic].map((c) => c.charCodeAt(0)) : magic;
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

function ascii(head: Uint8Array): string {
  return String.fromCharCode(...head.subarray(0, SNIFF_BYTES));
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc0) printable++;
  return printable === head.length;
}

/** What the head bytes of a file look like; undefined when nothing is recognized. */
export function sniff(head: Uint8Array): Sniffed | undefined {
  if (head.length === 0)
    return {
      kind: "empty",
      description: "an empty file",
      advice: "the file has no bytes; was it copied or downloaded completely?",
    };
  const text = ascii(head);
  const trimmed = text.replace(/^\uFEFF?[\s]+/, "");
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return { kind: "png", description: "a PNG image" };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: "jpeg", description: "a JPEG image" };
  if (startsWith(head, "GIF8")) return { kind: "gif", description: "a GIF image" };
  if (startsWith(head, "TFL3", 4))
    return {
      kind: "tflite",
      description: "a TensorFlow Lite model",
      otherModelFormat: true,
      advice: "edge reads ONNX; convert with tf2onnx (`python -m tf2onnx.convert --tflite MODEL.tflite`)",
    };
  if (startsWith(head, "GGUF"))
    return {
      kind: "gguf",
      description: "a GGUF (llama.cpp) model",
      otherModelFormat: true,
      advice: "edge reads ONNX; export the model to ONNX (for example with optimum)",
    };
  if (startsWith(head, [0x89, 0x48, 0x44, 0x46]))
    return {
      kind: "hdf5",
      description: "an HDF5 file (a Keras .h5 model?)",
      otherModelFormat: true,
      advice: "edge reads ONNX; convert with tf2onnx",
    };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]))
    return {
      kind: "zip",
      description: "a zip archive (a PyTorch checkpoint or a zipped model?)",
      otherModelFormat: true,
      advice: "unzip it, or export a PyTorch model with torch.onnx.export",
    };
  if (startsWith(head, [0x1f, 0x8b]))
    return { kind: "gzip", description: "a gzip-compressed file", advice: "decompress it first" };
  if (head[0] === 0x80 && head.length > 1 && head[1] >= 2 && head[1] <= 5)
    return {
      kind: "pickle",
      description: "a Python pickle (a PyTorch checkpoint?)",
      otherModelFormat: true,
      advice: "export the model with torch.onnx.export",
    };
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return { kind: "npy", description: "a NumPy array file" };
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return { kind: "elf", description: "an executable (ELF) file" };
  if (head.length >= 10 && startsWith(head, "{", 8) && head[6] === 0 && head[7] === 0)
    return {
      kind: "safetensors",
      description: "a safetensors weights file",
      otherModelFormat: true,
      advice: "safetensors holds weights only; export the model to ONNX",
    };
  if (trimmed.startsWith("version https://git-lfs"))
    return {
      kind: "git-lfs",
      description: "a Git LFS pointer, not the model itself",
      advice: "run `git lfs pull` to fetch the real file",
    };
  if (looksLikeText(head)) {
    if (/^[{[]/.test(trimmed)) return { kind: "json", description: "a JSON file" };
    if (/^<\?xml|^<!doctype html|^<html/i.test(trimmed))
      return {
        kind: "markup",
        description: "an XML or HTML file",
        advice: "a download may have saved an error page instead of the model",
      };
    if (/^ir_version\s*:/m.test(text))
      return {
        kind: "onnx-text",
        description: "an ONNX model in protobuf text format",
        advice: "convert it to the binary format (onnx.save)",
      };
    return { kind: "text", description: "a text file" };
  }
  return undefined;
}
