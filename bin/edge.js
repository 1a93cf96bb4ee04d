#!/usr/bin/env node
// The `edge` command: runs the bundled engine CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

// A Ctrl-C or SIGTERM while the engine loads must not kill the process before `edge run` can write its report: it
// is remembered and handed to the command as a stop (a second one exits at once, 130 as the shell would say).
const early = new AbortController();
let earlySignals = 0;
const onEarlySignal = () => {
  if (++earlySignals > 1) process.exit(130);
  early.abort();
};
process.on("SIGINT", onEarlySignal);
process.on("SIGTERM", onEarlySignal);

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "engine", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write(`edge: ${cli} is missing; run \`npm run build\` first.\n`);
  process.exit(70);
}
const { main } = await import(pathToFileURL(cli).href);
// A signal that came while the bundle was evaluated waits in the event loop: let it reach onEarlySignal first.
await new Promise((turn) => setImmediate(turn));
// `edge run` installs its own handlers before main() first waits, so these are removed only once those are in place
// (a process with no handler at all would be killed by a signal in between).
const exitCode = main(process.argv.slice(2), undefined, early.signal);
process.off("SIGINT", onEarlySignal);
process.off("SIGTERM", onEarlySignal);
process.exitCode = await exitCode;
