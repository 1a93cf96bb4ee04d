// Completions that come from the world and from the rest of the recipe: the model's input names (with their shape
// and type), op types (with counts), node names (fuzzy, best first), output names and symbolic dims; dataset and
// device names the recipe defines; adb serials; ssh hosts; files; and skeletons of new datasets and devices.
import type { CompletionItem } from "vscode-languageserver-types";
import type { PathSegment } from "../../../engine/recipe";
import type { TensorSignature } from "../../../engine/onnx";
import {
  completionItem,
  CompletionItemKind,
  type CompletionRequest,
  rank,
  scalarText,
  snippetChoice,
  snippetText,
} from "./items";
import { fuzzyTop } from "./fuzzy";
import type { ModelIndex } from "../../world/model-index";
import { shapeText } from "../recipe/model";
import { pathItems } from "./paths";
import type { RecipeNames } from "../recipe/outline";
import { pathPattern } from "./schema";

/** Most node names returned at once; the client asks again as the user types (`isIncomplete`). */
export const MAX_NODE_ITEMS = 100;

/** The model as completion sees it: known now, or being read (then the list is marked incomplete). */
export interface ModelNow {
  index?: ModelIndex;
  pending: boolean;
}

/** Keys from the world for the map at `path`. */
export function worldKeyItems(
  request: CompletionRequest,
  path: readonly PathSegment[],
  model: ModelNow,
): CompletionItem[] {
  const pattern = pathPattern(path);
  const present = new Set(request.cursor.siblingKeys);
  const cursor = request.cursor;
  if (pattern === "model.inputs" || pattern === "data.*.inputs") {
    if (model.pending) request.incomplete = true;
    if (!model.index) return [];
    return model.index.summary.inputs
      .filter((input) => !present.has(input.name))
      .map((input, i) => {
        const name = scalarText(request, input.name);
        const newText = cursor.hasColon
          ? name
          : pattern === "model.inputs"
            ? `${snippetText(name)}: ${inputSnippet(input)}`
            : `${snippetText(name)}: $1`;
        return completionItem(request, input.name, newText, {
          kind: CompletionItemKind.Field,
          detail: `model input: ${shapeText(input)}`,
          labelDescription: shapeText(input),
          snippet: true,
          sortText: rank(i, "a"),
        });
      });
  }
  if (pattern === "compile.fixed_shapes") {
    if (model.pending) request.incomplete = true;
    if (!model.index) return [];
    return model.index.inputSymbols
      .filter((symbol) => !present.has(symbol))
      .map((symbol, i) => {
        const users = model
          .index!.summary.inputs.filter((input) => input.dims?.includes(symbol))
          .map((input) => input.name);
        return completionItem(
          request,
          symbol,
          cursor.hasColon ? snippetText(symbol) : `${snippetText(scalarText(request, symbol))}: \${1:1}`,
          {
            kind: CompletionItemKind.Field,
            detail: `symbolic dim of ${users.join(", ")}`,
            snippet: true,
            sortText: rank(i, "a"),
          },
        );
      });
  }
  if (cursor.hasColon || cursor.flow) return [];
  const inner = "\n" + " ".repeat(cursor.indent + 2);
  if (pattern === "devices") {
    // The name typed so far becomes the entry's name.
    const named = (fallback: string): string => `\${1:${snippetText(cursor.word || fallback)}}`;
    const skeletons: [label: string, body: string, detail: string][] = [
      ["local device", `${named("laptop")}:${inner}local: {}`, "run on this machine"],
      [
        "ssh device",
        `${named("jetson")}:${inner}ssh:${inner}  host: \${2:jetson.local}${inner}  user: \${3:ubuntu}${inner}runner: node`,
        "a machine reached over SSH",
      ],
      [
        "adb device",
        `${named("pixel8")}:${inner}adb:${inner}  serial: \${2:SERIAL}${inner}runner: perf-test${inner}provider: ${snippetChoice(3, ["cpu", "xnnpack", "nnapi", "qnn"])}`,
        "an Android device over adb",
      ],
    ];
    return skeletons.map(([label, body, detail], i) =>
      completionItem(request, label, body, {
        kind: CompletionItemKind.Snippet,
        detail,
        snippet: true,
        sortText: rank(i, "c"),
        filterText: request.cursor.prefix || label,
      }),
    );
  }
  if (pattern === "data") {
    const body = `\${1:${snippetText(cursor.word || "calib")}}:${inner}path: $2${inner}format: ${snippetChoice(3, ["npy", "npz", "json", "text"])}`;
    return [
      completionItem(request, "new dataset", body, {
        kind: CompletionItemKind.Snippet,
        detail: "a named dataset",
        snippet: true,
        sortText: rank(0, "c"),
        filterText: request.cursor.prefix || "dataset",
      }),
    ];
  }
  return [];
}

/** `{ shape: [${1:batch}, 3, 224, 224], dtype: float32 }`: the input's shape, symbolic and unknown dims as placeholders. */
function inputSnippet(input: TensorSignature): string {
  let n = 0;
  const dims = (input.dims ?? []).map((d) =>
    typeof d === "number" ? String(d) : `\${${++n}:${d === null ? "1" : snippetText(d)}}`,
  );
  const dtype = input.dtype === "unknown" ? `$${++n}` : input.dtype;
  return `{ shape: [${dims.join(", ")}], dtype: ${dtype} }`;
}

/** Values from the world for the value at `path`. */
export async function worldValueItems(
  request: CompletionRequest,
  path: readonly PathSegment[],
  model: ModelNow,
  names: RecipeNames,
): Promise<CompletionItem[]> {
  const pattern = pathPattern(path);
  const present = new Set(typeof path[path.length - 1] === "number" ? request.cursor.siblingItems : []);
  switch (pattern) {
    case "model.path":
      return pathItems(request, { preferExtensions: [".onnx"] });
    case "data.*.path":
      return pathItems(request, { preferExtensions: [".npy", ".npz", ".json", ".txt"] });
    case "data.*.tokenizer":
      return pathItems(request, { preferExtensions: ["tokenizer.json", ".json", ".model"] });
    case "quantize.calibration.data":
    case "evaluate.data":
    case "run.data":
    case "run.generate.data":
      return names.datasets().map((name, i) =>
        completionItem(request, name, scalarText(request, name), {
          kind: CompletionItemKind.Reference,
          detail: "dataset",
          sortText: rank(i, "a"),
        }),
      );
    case "run.device": {
      const defined = new Set(names.definedDevices());
      return names.devices().map((name, i) =>
        completionItem(request, name, scalarText(request, name), {
          kind: CompletionItemKind.Reference,
          detail: defined.has(name) ? "device" : "this machine (needs no entry in `devices`)",
          sortText: rank(i, "a"),
        }),
      );
    }
    case "devices.*.adb.serial": {
      const devices = await request.world.adbDevices();
      return devices.map((device, i) =>
        completionItem(request, device.serial, scalarText(request, device.serial), {
          kind: CompletionItemKind.Value,
          detail:
            [device.model?.replace(/_/g, " "), device.state !== "device" ? device.state : undefined]
              .filter(Boolean)
              .join(" · ") || device.state,
          labelDescription: device.model?.replace(/_/g, " "),
          sortText: rank(i, device.state === "device" ? "a" : "b"),
        }),
      );
    }
    case "devices.*.ssh.host":
    case "devices.*.ssh.proxy_jump": {
      const hosts = await request.world.sshHosts();
      return hosts.map((host, i) =>
        completionItem(request, host, scalarText(request, host), {
          kind: CompletionItemKind.Value,
          detail: "from ~/.ssh/config",
          sortText: rank(i, "a"),
        }),
      );
    }
    case "quantize.exclude.ops.#":
    case "quantize.include.ops.#":
      if (model.pending) request.incomplete = true;
      if (!model.index) return [];
      return model.index.opsByCount
        .filter(([op]) => !present.has(op))
        .map(([op, count], i) =>
          completionItem(request, op, scalarText(request, op), {
            kind: CompletionItemKind.Class,
            detail: `${count} in ${model.index!.fileName}`,
            labelDescription: `×${count}`,
            sortText: rank(i, "a"),
          }),
        );
    case "quantize.exclude.nodes.#":
    case "quantize.include.nodes.#":
      return nodeItems(request, model, present);
    case "evaluate.outputs.#":
      if (model.pending) request.incomplete = true;
      if (!model.index) return [];
      return model.index.summary.outputs
        .filter((output) => !present.has(output.name))
        .map((output, i) =>
          completionItem(request, output.name, scalarText(request, output.name), {
            kind: CompletionItemKind.Field,
            detail: `model output: ${shapeText(output)}`,
            sortText: rank(i, "a"),
          }),
        );
    case "model.inputs.*.shape": {
      const input = model.index?.inputsByName.get(String(path[2]));
      if (!input?.dims) return [];
      const text = `[${input.dims.map((d) => (d === null ? "1" : String(d))).join(", ")}]`;
      return [
        completionItem(request, text, text, {
          kind: CompletionItemKind.Value,
          detail: `the model's shape of ${input.name}`,
          sortText: rank(0, "a"),
          preselect: true,
        }),
      ];
    }
    default:
      return [];
  }
}

/** Node names, fuzzy matched against what is typed: the best `MAX_NODE_ITEMS`, in our order. */
function nodeItems(request: CompletionRequest, model: ModelNow, present: Set<string>): CompletionItem[] {
  // Always incomplete: the next keystroke narrows a list of thousands differently.
  request.incomplete = true;
  if (!model.index) return [];
  const index = model.index;
  const typed = request.cursor.prefix;
  const { matches } = fuzzyTop(typed, index.nodeNames, MAX_NODE_ITEMS + present.size, index.nodeNamesLower);
  const items: CompletionItem[] = [];
  for (const match of matches) {
    const name = index.nodeNames[match.item];
    if (present.has(name)) continue;
    if (items.length >= MAX_NODE_ITEMS) break;
    const nodes = index.nodesByName.get(name) ?? [];
    items.push(
      completionItem(request, name, scalarText(request, name), {
        kind: CompletionItemKind.Reference,
        detail: nodes.length > 1 ? `${nodes[0].opType} (${nodes.length} nodes)` : nodes[0]?.opType,
        labelDescription: nodes[0]?.opType,
        sortText: rank(items.length),
        // Every item matches what is typed equally for the client, so it keeps our order.
        filterText: `${typed}${name}`,
      }),
    );
  }
  return items;
}
