// `edge.createDemoRecipe` (the walkthrough's first step): writes a demo recipe into the workspace for an ONNX model the
// user picks, and opens it. The recipe text is made by a pure function; the command only asks, writes and opens.
// Writing a file runs nothing, so the command works in an untrusted workspace too.
import * as path from "node:path";
import * as vscode from "vscode";

/** Arguments tests (and other commands) may pass instead of asking the user. */
export interface CreateDemoRecipeArgs {
  /** The model, absolute. Unset: an open dialog asks. */
  modelPath?: string;
  /** The recipe's file name in the first workspace folder. Unset: `demo.edge.yaml`, or the first free `demo-N.edge.yaml`. */
  fileName?: string;
  /** Open the recipe in an editor (default true). */
  show?: boolean;
}

/** A recipe name (letters, digits, `.`, `_`, `-`; starts with a letter or digit) from a model's file name. */
export function recipeNameFor(modelPath: string): string {
  const base = path
    .basename(modelPath)
    .replace(/\.onnx$/i, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return `${base || "demo"}-local`.slice(0, 64);
}

/** The demo recipe's text; `modelRef` is the model path as the recipe should say it (relative to the recipe, or absolute). */
export function demoRecipeText(modelRef: string, name: string): string {
  return `# A demo recipe written by "Edge: Create Demo Recipe…". Hover a key for its meaning; completion (Ctrl+Space)
# offers keys, devices and the model's input names. Fix symbolic input dimensions under model.inputs, e.g.
#   inputs:
#     x: { shape: [1, 3, 224, 224] }
name: ${name}
model:
  path: ${JSON.stringify(modelRef)}
devices:
  laptop: { local: {} }
run:
  device: laptop
  warmup: 10
  iterations: 100
budgets:
  latency_p95_ms: 100
`;
}

/** The model's path as written in a recipe at `recipeDir`: relative (with `/`) when it is under `folderDir`. */
export function modelRefFrom(recipeDir: string, folderDir: string, modelPath: string): string {
  const inFolder =
    !path.relative(folderDir, modelPath).startsWith("..") && !path.isAbsolute(path.relative(folderDir, modelPath));
  return inFolder ? path.relative(recipeDir, modelPath).split(path.sep).join("/") : modelPath;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function freeRecipeUri(folder: vscode.Uri): Promise<vscode.Uri> {
  for (let n = 1; ; n++) {
    const uri = vscode.Uri.joinPath(folder, n === 1 ? "demo.edge.yaml" : `demo-${n}.edge.yaml`);
    if (!(await exists(uri))) return uri;
  }
}

/** The command: resolves with the recipe's URI, or undefined when the user cancelled the model choice. */
export async function createDemoRecipe(args: CreateDemoRecipeArgs = {}): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("open a folder first: the demo recipe is written into the workspace");
  let modelPath = args.modelPath;
  if (!modelPath) {
    const picked = await vscode.window.showOpenDialog({
      title: "Edge: the ONNX model for the demo recipe",
      openLabel: "Use This Model",
      canSelectMany: false,
      defaultUri: folder.uri,
      filters: { "ONNX models": ["onnx"] },
    });
    if (!picked?.[0]) return undefined;
    modelPath = picked[0].fsPath;
  }
  const uri = args.fileName ? vscode.Uri.joinPath(folder.uri, args.fileName) : await freeRecipeUri(folder.uri);
  const text = demoRecipeText(
    modelRefFrom(path.dirname(uri.fsPath), folder.uri.fsPath, modelPath),
    recipeNameFor(modelPath),
  );
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  if (args.show !== false) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  return uri;
}
