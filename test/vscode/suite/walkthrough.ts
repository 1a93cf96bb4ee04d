// The walkthrough (package.json `contributes.walkthroughs`) and its first step's command, `edge.createDemoRecipe`:
// the recipe it writes is checked by the language server without errors.
import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { CreateDemoRecipeArgs } from "../../../extension/demo-recipe";
import { EXTENSION_ID, waitFor, workspaceFile } from "./helpers";
import { test } from "./runner";

interface WalkthroughStep {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}

test("the walkthrough is contributed: four steps, their media shipped, each completed by its command", () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const walkthroughs =
    (extension.packageJSON as { contributes: { walkthroughs?: { id: string; steps: WalkthroughStep[] }[] } })
      .contributes.walkthroughs ?? [];
  const walkthrough = walkthroughs.find((w) => w.id === "edge.gettingStarted");
  assert.ok(walkthrough, "walkthrough edge.gettingStarted");
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ["edge.createDemo", "edge.validate", "edge.run", "edge.report"],
  );
  for (const step of walkthrough.steps) {
    assert.ok(
      step.media.markdown && existsSync(join(extension.extensionPath, step.media.markdown)),
      `${step.id}: media ${step.media.markdown}`,
    );
    const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.equal(linked.length, 1, `${step.id} links one command`);
    assert.ok(
      step.completionEvents?.includes(`onCommand:${linked[0]}`),
      `${step.id} completes on its command ${linked[0]}`,
    );
  }
});

test("edge.createDemoRecipe writes a recipe that the language server checks without errors", async () => {
  const registered = await vscode.commands.getCommands(true);
  assert.ok(registered.includes("edge.createDemoRecipe"));
  // The real model the workspace's recipes use (an absolute path, so the folder can live anywhere).
  const okRecipe = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile("ok.edge.yaml")));
  const modelPath = /^\s*path:\s*(.+)$/m.exec(okRecipe)?.[1]?.trim();
  assert.ok(modelPath, "ok.edge.yaml names a model");
  const args: CreateDemoRecipeArgs = { modelPath, fileName: "walkthrough-demo.edge.yaml" };
  const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>("edge.createDemoRecipe", args);
  assert.ok(uri, "the command returns the recipe's URI");
  assert.equal(uri.toString(), workspaceFile("walkthrough-demo.edge.yaml").toString());
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor?.document.uri.toString(), uri.toString(), "the recipe is open");
  assert.equal(editor.document.languageId, "edge-recipe");
  // The model has symbolic input dimensions, so the server (after reading the model) warns on `model:`: proof that it
  // checked this recipe. Nothing may be an error.
  const diagnostics = await waitFor(
    vscode.languages.onDidChangeDiagnostics,
    () => {
      const list = vscode.languages.getDiagnostics(uri);
      return list.some((d) => /not fixed|model\.inputs/.test(d.message)) ? list : undefined;
    },
    "the language server's diagnostics on the demo recipe",
  );
  const errors = diagnostics
    .filter((d) => d.severity === vscode.DiagnosticSeverity.Error)
    .map((d) => `${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(errors, []);
});
