// Shared helpers for the language-server tests: documents with an inline cursor marker, and a fake world host
// whose parts each test turns on one at a time (a model summary, adb devices, ssh hosts, files, quant findings).
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Position } from "vscode-languageserver-types";
import type {
  AdbDevice,
  ModelSummary,
  ModelSummaryResult,
  QuantNodeFinding,
  WorldHost,
} from "../../language-server/world/world-host";

let documentVersion = 0;

/** The default URI of test documents: a recipe in /tmp/edge-test (paths in it resolve from that folder). */
export const testRecipeUri = "file:///tmp/edge-test/recipe.edge.yaml";

/** A recipe document. */
export function recipeDocument(text: string, uri = testRecipeUri): TextDocument {
  return TextDocument.create(uri, "edge-recipe", ++documentVersion, text);
}

/**
 * A document and a cursor: the text holds one cursor marker, `|` or `⟨⟩`, which is removed.
 * `⟨⟩` wins when present, so texts that need a literal `|` (YAML block scalars) can use it.
 */
export function docWithCursor(
  textWithCursor: string,
  uri = testRecipeUri,
): { document: TextDocument; position: Position; offset: number } {
  const marker = textWithCursor.includes("⟨⟩") ? "⟨⟩" : "|";
  const offset = textWithCursor.indexOf(marker);
  if (offset < 0) throw new Error(`docWithCursor: no cursor marker (| or ⟨⟩) in ${JSON.stringify(textWithCursor)}`);
  const text = textWithCursor.slice(0, offset) + textWithCursor.slice(offset + marker.length);
  const document = recipeDocument(text, uri);
  return { document, position: document.positionAt(offset), offset };
}

export interface FakeWorldOptions {
  /** Summaries by absolute path (or errors); anything else reads as "no such file". */
  models?: Record<string, ModelSummary | ModelSummaryResult>;
  /** Whether cachedModelSummary answers (true) or only modelSummary does (false: "not read yet"). Default true. */
  modelsCached?: boolean;
  adb?: AdbDevice[];
  sshHosts?: string[];
  /** Absolute path → "file" | "directory"; folders list the entries whose path is directly inside them. */
  files?: Record<string, "file" | "directory">;
  quantFindings?: QuantNodeFinding[];
  homeDir?: string;
}

/** What a fake world was asked, for tests that check a request kicked off a read. */
export interface FakeWorld extends WorldHost {
  calls: { modelSummary: string[] };
}

/** A world host from canned answers. */
export function fakeWorld(options: FakeWorldOptions = {}): FakeWorld {
  const calls = { modelSummary: [] as string[] };
  const models = new Map<string, ModelSummaryResult>();
  for (const [path, entry] of Object.entries(options.models ?? {})) {
    models.set(path, "ok" in entry ? entry : { ok: true, summary: entry });
  }
  const missing = (path: string): ModelSummaryResult => ({
    ok: false,
    error: { code: "model/not-found", message: `no model at ${path}` },
  });
  const files = options.files ?? {};
  return {
    calls,
    homeDir: options.homeDir,
    modelSummary(path) {
      calls.modelSummary.push(path);
      return Promise.resolve(models.get(path) ?? missing(path));
    },
    cachedModelSummary(path) {
      if (options.modelsCached === false) return undefined;
      return models.get(path);
    },
    adbDevices: () => Promise.resolve(options.adb ?? []),
    sshHosts: () => Promise.resolve(options.sshHosts ?? []),
    pathKind: (path) => Promise.resolve(files[path.replace(/\/+$/, "")]),
    listDirectory(path) {
      const folder = path.replace(/\/+$/, "") + "/";
      const entries: { name: string; kind: "file" | "directory" }[] = [];
      for (const [file, kind] of Object.entries(files)) {
        if (!file.startsWith(folder)) continue;
        const rest = file.slice(folder.length);
        if (rest.length > 0 && !rest.includes("/")) entries.push({ name: rest, kind });
      }
      return Promise.resolve(entries);
    },
    quantFindings: () => Promise.resolve(options.quantFindings ?? []),
  };
}

/** A small model summary for tests that do not need a real model; fields can be overridden. */
export function fakeModelSummary(overrides: Partial<ModelSummary> = {}): ModelSummary {
  return {
    path: "/tmp/edge-test/models/model.onnx",
    sizeBytes: 1234,
    mtimeMs: 0,
    irVersion: 8,
    producer: "test",
    opsetImports: [{ domain: "", version: 17 }],
    inputs: [{ name: "input_ids", dtype: "int64", dims: [1, "sequence"] }],
    outputs: [{ name: "logits", dtype: "float32", dims: [1, "sequence", 32000] }],
    parameterCount: 1000,
    parameterBytes: 4000,
    nodeCount: 2,
    opCounts: { MatMul: 1, Gather: 1 },
    nodes: [
      {
        name: "/embed/Gather",
        opType: "Gather",
        domain: "",
        inputs: ["embed.weight", "input_ids"],
        outputs: ["/embed/out"],
      },
      {
        name: "/lm_head/MatMul",
        opType: "MatMul",
        domain: "",
        inputs: ["/embed/out", "lm_head.weight"],
        outputs: ["logits"],
      },
    ],
    valueShapes: {},
    ...overrides,
  };
}
