// Recipes with a great many device keys (200,000 make about 5 MB), for the test that they validate in linear time
// and for bench/recipe-parse.bench.ts. Valid against the schema: every device is a local one, the run uses the first.
export function manyDevicesRecipe(deviceCount: number, modelPath = "model.onnx"): string {
  const lines = ["name: many-devices", "model:", `  path: ${modelPath}`, "devices:"];
  for (let i = 0; i < deviceCount; i++) lines.push(`  device_${i}: { local: {} }`);
  lines.push("run:", "  device: device_0", "");
  return lines.join("\n");
}
