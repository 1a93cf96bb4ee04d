// `npm run bench:host`: how long the extension's handling of a run's event stream blocks the event loop (the
// extension host's, in the extension) while the engine streams 1,000 events/s, ending with the burst of kernel events
// the real engine writes after profiling. Goal: never more than 50 ms.
//
// Extension side: the real `startEngine` (extension/run/engine-process.ts) spawns a stand-in engine
// (`bench/engine-event-stream.mjs`, installed as `bin/edge.js` of a scratch extension folder) and feeds its stdout to the
// real JSON-lines reader; each event goes through the real `RunRenderer` and `terminalText`, then to a stand-in for the
// pseudoterminal's write emitter (which serializes the text for the RPC to the renderer). Baseline, in the same run:
// the same stream piped into a bare loop that only splits lines. Rounds alternate; blocking is measured with
// `perf_hooks.monitorEventLoopDelay` (1 ms resolution) and with the longest gap between 1 ms timer ticks.
// Usage: extension-host.bench.ts [--rounds N] [--seconds N] [--rate N] [--burst N]
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { startEngine } from "../extension/run/engine-process";
import { RunRenderer, terminalText } from "../extension/run/run-renderer";

const GOAL_MS = 50;
const TICK_MS = 1;
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg("rounds", 3);
const seconds = arg("seconds", 5);
const rate = arg("rate", 1000);
const burst = arg("burst", 2000);

const root = resolve(import.meta.dirname, "..");
const stream = join(root, "bench", "engine-event-stream.mjs");
const fakeExtension = join(root, "bench", ".work", "host", "extension");
mkdirSync(join(fakeExtension, "bin"), { recursive: true });
writeFileSync(join(fakeExtension, "bin", "edge.js"), `import ${JSON.stringify(pathToFileURL(stream).href)};\n`);
const streamArgs = ["run", "--rate", String(rate), "--seconds", String(seconds), "--burst", String(burst)];

interface Measured {
  events: number;
  /** Longest event-loop delay (monitorEventLoopDelay), ms. */
  maxMs: number;
  p99Ms: number;
  /** Longest gap between 1 ms timer ticks beyond the 1 ms, ms. */
  maxGapMs: number;
}

/** Runs `consume` while measuring event-loop blocking; it resolves with the number of events (lines) it handled. */
async function measure(consume: () => Promise<number>): Promise<Measured> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last - TICK_MS);
    last = now;
  }, TICK_MS);
  histogram.enable();
  const events = await consume();
  histogram.disable();
  clearInterval(ticker);
  return { events, maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, maxGapMs: Math.max(0, maxGapMs) };
}

/** The extension's path: startEngine → JSON-lines reader → RunRenderer → terminal text → write emitter stand-in. */
function extensionSide(): Promise<number> {
  const renderer = new RunRenderer();
  let events = 0;
  let written = 0;
  const write = (text: string) => {
    written += JSON.stringify({ data: terminalText(text) }).length; // what firing the pseudoterminal's emitter costs
  };
  const engine = startEngine({
    node: { command: process.execPath, env: {} },
    extensionPath: fakeExtension,
    args: streamArgs,
    cwd: root,
    onEvent: (event) => {
      events++;
      const text = renderer.render(event);
      if (text) write(text);
    },
    onOutput: (text) => process.stderr.write(text),
  });
  return engine.exited.then(({ code }) => {
    write(renderer.finish(code, false));
    if (code !== 0 || written === 0) throw new Error(`the stand-in engine exited with ${code}`);
    return events;
  });
}

/** Baseline: the same stream into a bare loop that only splits lines. */
function bareSide(): Promise<number> {
  const child = spawn(process.execPath, [stream, ...streamArgs], { stdio: ["ignore", "pipe", "inherit"] });
  let lines = 0;
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      lines++;
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  });
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolvePromise(lines) : reject(new Error(`the stream exited with ${code}`)),
    );
  });
}

const fmt = (m: Measured) =>
  `max ${m.maxMs.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, longest tick gap ${m.maxGapMs.toFixed(2)} ms (${m.events} events)`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `host: ${rate} events/s for ${seconds} s, then a burst of ${burst} kernel events; ${rounds} rounds, extension and bare loop alternating`,
);
const ext: Measured[] = [];
const bare: Measured[] = [];
for (let round = 1; round <= rounds; round++) {
  bare.push(await measure(bareSide));
  ext.push(await measure(extensionSide));
  console.log(`round ${round}: extension ${fmt(ext.at(-1)!)}`);
  console.log(`round ${round}: bare loop ${fmt(bare.at(-1)!)}`);
}
const worst = (ms: Measured[]) => Math.max(...ms.map((m) => Math.max(m.maxMs, m.maxGapMs)));
const extWorst = worst(ext);
const bareWorst = worst(bare);
const extP99 = median(ext.map((m) => m.p99Ms));
const bareP99 = median(bare.map((m) => m.p99Ms));
console.log(
  `max blocking: extension ${extWorst.toFixed(2)} ms, bare loop ${bareWorst.toFixed(2)} ms (ratio ${(extWorst / bareWorst).toFixed(2)})`,
);
console.log(
  `p99 delay (median of rounds): extension ${extP99.toFixed(2)} ms, bare loop ${bareP99.toFixed(2)} ms (ratio ${(extP99 / bareP99).toFixed(2)})`,
);
console.log(`host: ${extWorst.toFixed(2)} ms (goal ≤ ${GOAL_MS} ms)`);
