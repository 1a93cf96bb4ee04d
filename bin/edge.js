#!/usr/bin/env node
// The `edge` command: runs the bundled engine CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "engine", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write(`edge: ${cli} is missing; run \`npm run build\` first.\n`);
  process.exit(70);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
