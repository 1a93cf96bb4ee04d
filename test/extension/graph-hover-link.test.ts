// The graph viewer's link in the recipe language server's hover on `model.path`: a command link to
// edge.openModelGraph whose argument is the model's absolute path (what the command takes), only when the model
// could be read; and the client middleware's trust covers exactly that command.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { createLanguageService } from "../../language-server/service/language-service";
import { docWithCursor, fakeModelSummary, fakeWorld } from "../language-server/helpers";
import { readFileSync } from "node:fs";

async function hoverText(text: string): Promise<string> {
  const world = fakeWorld({ models: { "/tmp/edge-test/models/model.onnx": fakeModelSummary() } });
  const { document, position } = docWithCursor(text);
  const hover = await createLanguageService(world).doHover(document, position);
  const contents = hover?.contents as { value?: string } | undefined;
  return contents?.value ?? "";
}

void test("the hover on a readable model.path ends with an Open graph link carrying the absolute path", async () => {
  const text = await hoverText("model:\n  path: models/mo|del.onnx\n");
  const link = /\[Open graph\]\(command:edge\.openModelGraph\?([^ )]+)/.exec(text);
  assert.ok(link, `a command link in: ${text}`);
  assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), ["/tmp/edge-test/models/model.onnx"]);
});

void test("no graph link when the model cannot be read", async () => {
  const text = await hoverText("model:\n  path: models/miss|ing.onnx\n");
  assert.match(text, /no model at/);
  assert.doesNotMatch(text, /command:/);
});

void test("the linked command is contributed", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    contributes: { commands: { command: string }[] };
  };
  const commands = pkg.contributes.commands.map((c) => c.command);
  assert.ok(commands.includes("edge.openModelGraph"));
});
