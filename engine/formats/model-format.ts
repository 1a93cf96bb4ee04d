// The model-format plug-in interface: `match` sniffs a file from its first bytes and name, `open` reads it.
// ONNX is the first format; TFLite or others add a module with a `ModelFormat` and a case in `OpenedModel`.
import type { OnnxModel, ReadModelOptions } from "../onnx/read-model";

/** A model read by its format's plug-in, tagged with the format id. New formats add a member. */
export type OpenedModel = { format: "onnx"; path: string; sizeBytes: number; onnx: OnnxModel };

export type OpenOptions = ReadModelOptions;

export interface ModelFormat {
  /** Short id, also the tag of `OpenedModel`. */
  id: OpenedModel["format"];
  /** Human name, for messages. */
  name: string;
  /** File name extensions, lower case with the dot. */
  extensions: readonly string[];
  /**
   * How sure this format is that the file is one of its own, from its first bytes (at least SNIFF_BYTES of them,
   * fewer if the file is shorter) and its path: "yes" (the content says so), "maybe" (the name says so, or the
   * content is plausible), or "no".
   */
  match(head: Uint8Array, path: string): "yes" | "maybe" | "no";
  open(path: string, options?: OpenOptions): Promise<OpenedModel>;
}
