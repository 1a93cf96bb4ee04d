// A stand-in for `edge run --events jsonl` for bench/extension-host.bench.ts: writes engine events as JSON lines at a
// steady rate (default 1,000 events/s for 5 s: per 10 ms tick one iteration, one progress and kernel events for the
// rest), then, like the real engine after profiling, a burst of kernel events (default 2,000) and the closing events.
// Usage: node engine-event-stream.mjs [run] [--rate N] [--seconds N] [--burst N]
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rate = arg("rate", 1000);
const seconds = arg("seconds", 5);
const burst = arg("burst", 2000);
const ops = ["Conv", "Relu", "Add", "MatMul", "BatchNormalization", "Clip", "Mul", "GlobalAveragePool"];
const started = performance.now();
const now = () => Math.round((performance.now() - started) * 1000) / 1000;
const line = (event) => `${JSON.stringify({ ...event, timeMs: now() })}\n`;
let kernelIndex = 0;
const kernel = () => {
  const i = kernelIndex++;
  const op = ops[i % ops.length];
  return line({
    type: "kernel",
    node: `p2o.${op}.${i % 500}`,
    opType: op,
    provider: "CPUExecutionProvider",
    startUs: i * 37,
    durationUs: 20 + (i % 90),
  });
};

const total = Math.round(rate * seconds);
const iterations = Math.max(1, Math.round(total / 10));
process.stdout.write(
  line({ type: "run/start", runId: "bench", recipe: "bench.edge.yaml", device: "laptop", outDir: ".edge/runs/bench" }),
);
process.stdout.write(line({ type: "step/start", step: "run", detail: `${iterations} iterations` }));
let sent = 0;
let iteration = 0;
const timer = setInterval(() => {
  const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * rate));
  let chunk = "";
  while (sent < due) {
    const k = sent % 10;
    if (k === 0) chunk += line({ type: "iteration", index: iteration++, warmup: false, latencyMs: 4 + Math.random() });
    else if (k === 1)
      chunk += line({ type: "progress", step: "run", done: Math.min(iteration, iterations), total: iterations });
    else chunk += kernel();
    sent++;
  }
  if (chunk) process.stdout.write(chunk);
  if (sent >= total) {
    clearInterval(timer);
    let tail = line({ type: "step/end", step: "run", ok: true, durationMs: now() });
    for (let i = 0; i < burst; i++) tail += kernel();
    tail += line({ type: "artifact", kind: "report.json", path: ".edge/runs/bench/report.json" });
    tail += line({ type: "run/end", ok: true, exitCode: 0, reportPath: ".edge/runs/bench/report.json" });
    process.stdout.write(tail);
  }
}, 10);
