// bench:devices — what a device run costs over a local one, through the real OpenSSH and adb programs.
// (1) Wall time of the whole `node bin/edge.js run RECIPE --device NAME --events jsonl` process on the demo recipe
//     (samples/demo.edge.yaml, PP-OCRv4 rec, warm-up 10, 100 iterations, profiling as the demo has it, budgets
//     dropped) on a private sshd on loopback (test/fixtures/sshd.ts), on runs that have nothing to push, against the
//     same recipe on `laptop` (local), alternating for a few rounds; medians compared. Goal ≤ 1.2×.
// (2) `adb push` of a 64 MB random file to the adb device fixture (test/fixtures/adb-device) against `fs.copyFile`
//     of the same file to a fresh path, alternating; medians of MB/s compared. Goal ≥ 50 %.
// (3) Bytes pushed (report.json's device.transfer) on the first and second run to each device: the ssh board above
//     and the adb fixture running samples/tiny-lm/model.onnx for a few iterations. Goal: the second run pushes 0 B.
// Then one diagnostic ssh run with a logging `ssh` first on PATH: how many ssh client calls the run makes, and when
// (against the deploy step's start and end), so a missed goal shows where the time goes.
// Usage: npm run bench:devices [-- --rounds N] [-- --push-mb N]; EDGE_BENCH_ONLY=adb-push runs only (2).
import { spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import type { DeviceTransfer } from "../common/report";
import { startAdbFixture, type AdbFixture } from "../test/fixtures/adb-device/index";
import { startSshd, type Sshd } from "../test/fixtures/sshd";

const DEMO = "samples/demo.edge.yaml";
const TINY_MODEL = resolve("samples/tiny-lm/model.onnx");
const WALL_GOAL = 1.2;
const PUSH_GOAL_PCT = 50;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const rounds = Number(option("rounds", "3"));
const pushMb = Number(option("push-mb", "64"));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

interface EdgeEvent {
  type: string;
  timeMs: number;
  step?: string;
  durationMs?: number;
  ok?: boolean;
  message?: string;
}
interface EdgeRun {
  wallMs: number;
  events: EdgeEvent[];
  transfer?: DeviceTransfer;
  /** Step name → duration from its step/end event. */
  steps: Map<string, number>;
  deploy?: { startMs: number; endMs: number };
  /** performance.now() when the process was spawned (to place outside observations on the run's clock). */
  spawnedAt: number;
}

/** `node bin/edge.js run RECIPE --device NAME --out DIR --events jsonl`, asynchronously with pipes, timed whole. */
function edgeRun(recipe: string, device: string, outDir: string, env: NodeJS.ProcessEnv): Promise<EdgeRun> {
  return new Promise((resolvePromise, reject) => {
    const args = ["bin/edge.js", "run", recipe, "--device", device, "--out", outDir, "--events", "jsonl"];
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - spawnedAt;
      if (code !== 0) {
        reject(new Error(`edge run --device ${device} exited with ${code}:\n${stderr.slice(-3000)}`));
        return;
      }
      const events = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as EdgeEvent);
      const steps = new Map<string, number>();
      let deploy: EdgeRun["deploy"];
      for (const e of events) {
        if (e.type === "step/end" && e.step) steps.set(e.step, e.durationMs ?? 0);
        if (e.step === "deploy" && e.type === "step/start") deploy = { startMs: e.timeMs, endMs: NaN };
        if (e.step === "deploy" && e.type === "step/end" && deploy) deploy.endMs = e.timeMs;
      }
      const report = JSON.parse(readFileSync(join(outDir, "report.json"), "utf8")) as {
        status: string;
        device: { transfer?: DeviceTransfer };
      };
      if (report.status !== "ok") {
        reject(new Error(`edge run --device ${device}: status ${report.status}:\n${stderr.slice(-3000)}`));
        return;
      }
      resolvePromise({ wallMs, events, transfer: report.device.transfer, steps, deploy, spawnedAt });
    });
  });
}

/** Runs a program to its end (asynchronously); rejects when it fails. */
function command(program: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${program} exited with ${code}: ${stderr}`)),
    );
  });
}

/** Where a run's wall time went, on the engine's clock: before the runner's first step (CLI, compile, deploy, runner
 * start), the runner's steps, and the rest (node's own start before the clock, pulls, clean-up, report, exit). */
function phases(r: EdgeRun): string {
  const loadStart = r.events.find((e) => e.type === "step/start" && e.step === "load")?.timeMs ?? NaN;
  const lastEnd = Math.max(
    ...r.events.filter((e) => e.type === "step/end" && e.step !== "report").map((e) => e.timeMs),
  );
  const deploy = r.deploy ? r.deploy.endMs - r.deploy.startMs : 0;
  const toRunner =
    loadStart -
    (r.deploy ? r.deploy.endMs : (r.events.find((e) => e.step === "compile" && e.type === "step/end")?.timeMs ?? 0));
  return `until deploy ${ms(loadStart - deploy - toRunner)}, deploy ${ms(deploy)}, to runner's first step ${ms(toRunner)}, runner steps ${ms(lastEnd - loadStart)}, rest ${ms(r.wallMs - lastEnd)}`;
}

const stepLine = (r: EdgeRun) =>
  [...r.steps].map(([name, d]) => `${name} ${d.toFixed(0)}`).join(", ") + ` (ms; wall ${ms(r.wallMs)})`;

/** CPU seconds (user + system) of a process from /proc/PID/stat; for `self` also of its waited-for children. */
function cpuSeconds(pid: number | "self"): { own: number; children: number } {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /s, "")
      .split(" ")
      .map(Number);
    // after "pid (comm) ": state is [0]; utime [11], stime [12], cutime [13], cstime [14] (clock ticks)
    return { own: (fields[11] + fields[12]) / 100, children: (fields[13] + fields[14]) / 100 };
  } catch {
    return { own: NaN, children: NaN };
  }
}

/** The pid of the adb server listening for this fixture (its environment names the private port). */
function adbServerPid(fixture: AdbFixture): number | undefined {
  const wanted = `ANDROID_ADB_SERVER_PORT=${fixture.adbEnv.ANDROID_ADB_SERVER_PORT}`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, "latin1").includes("fork-server")) continue;
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(wanted)) return Number(entry);
    } catch {
      // gone, or not ours
    }
  }
  return undefined;
}

/**
 * (2) `adb push` of a random file through the real adb to the fixture against a local copy (fs.copyFile, which is
 * copy_file_range in the kernel here) and a streamed copy (read stream → write stream, what a program does),
 * alternating; prints the medians and where the push's CPU time went: the fixture (this process), the adb server,
 * the adb client. Returns adb push as a percentage of each copy.
 */
async function adbPushThroughput(fixture: AdbFixture): Promise<{ ofStreamed: number; ofKernel: number }> {
  const blob = join(tmp, "push.bin");
  const bytes = Buffer.alloc(pushMb * 1e6);
  randomFillSync(bytes);
  writeFileSync(blob, bytes);
  const pushDir = join(fixture.root, "data/local/tmp/bench-push");
  mkdirSync(pushDir, { recursive: true });
  const serverPid = adbServerPid(fixture);
  const adbMBps: number[] = [];
  const copyMBps: number[] = [];
  const streamMBps: number[] = [];
  const cpu = { wall: 0, fixture: 0, server: 0, client: 0 };
  for (let round = 1; round <= Math.max(3, rounds); round++) {
    for (const side of round % 2 === 1 ? ["adb", "copy", "stream"] : ["stream", "copy", "adb"]) {
      const target = join(side === "adb" ? pushDir : tmp, `${side}-${round}.bin`);
      const self0 = process.cpuUsage();
      const children0 = cpuSeconds("self").children;
      const server0 = serverPid ? cpuSeconds(serverPid).own : NaN;
      const t = performance.now();
      if (side === "adb") {
        const r = await fixture.adb(["push", blob, target], { timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`adb push failed: ${r.stdout}${r.stderr}`);
      } else if (side === "copy") {
        await copyFile(blob, target);
      } else {
        await pipeline(createReadStream(blob), createWriteStream(target));
      }
      const seconds = (performance.now() - t) / 1000;
      if (side === "adb") {
        const self = process.cpuUsage(self0);
        cpu.wall += seconds;
        cpu.fixture += (self.user + self.system) / 1e6;
        cpu.server += serverPid ? cpuSeconds(serverPid).own - server0 : NaN;
        cpu.client += cpuSeconds("self").children - children0;
      }
      if (statSync(target).size !== bytes.length) throw new Error(`${side}: ${target} has the wrong size`);
      ({ adb: adbMBps, copy: copyMBps, stream: streamMBps })[side]!.push(bytes.length / 1e6 / seconds);
      await rm(target, { force: true });
    }
    console.log(
      `devices: push round ${round}: adb push ${adbMBps.at(-1)!.toFixed(1)} MB/s, local copy ${copyMBps.at(-1)!.toFixed(1)} MB/s, streamed copy ${streamMBps.at(-1)!.toFixed(1)} MB/s`,
    );
  }
  const pct = (x: number) => `${((100 * x) / cpu.wall).toFixed(0)} %`;
  console.log(
    `devices: adb push CPU over ${cpu.wall.toFixed(2)} s of pushes: fixture ${pct(cpu.fixture)}, adb server ${pct(cpu.server)}, adb client ${pct(cpu.client)} (of wall; 2 cores here)`,
  );
  const pushPct = (100 * median(adbMBps)) / median(copyMBps);
  console.log(
    `devices: adb push against a streamed copy (read stream → write stream): ${((100 * median(adbMBps)) / median(streamMBps)).toFixed(0)} %`,
  );
  console.log(
    `devices: ${pushMb} MB push, median: adb push ${median(adbMBps).toFixed(1)} MB/s, local copy ${median(copyMBps).toFixed(1)} MB/s, ${pushPct.toFixed(0)} % (goal ≥ ${PUSH_GOAL_PCT} %)`,
  );
  return { ofStreamed: (100 * median(adbMBps)) / median(streamMBps), ofKernel: pushPct };
}

const work = resolve("bench/.work");
mkdirSync(work, { recursive: true });
const tmp = mkdtempSync(join(work, "devices-"));
let sshd: Sshd | undefined;
let phone: AdbFixture | undefined;

// EDGE_BENCH_ONLY=adb-push: only (2), without the ssh board and the edge runs.
if (process.env.EDGE_BENCH_ONLY === "adb-push") {
  try {
    phone = await startAdbFixture();
    await adbPushThroughput(phone);
  } finally {
    await phone?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

try {
  // ---- (1) and (3) over ssh: the demo recipe on the loopback board against the local run -----------------------
  sshd = await startSshd();
  const demo = parse(readFileSync(DEMO, "utf8")) as { model: { path: string }; devices?: Record<string, unknown> };
  const demoModel = resolve(dirname(DEMO), demo.model.path);
  const demoRecipe = join(tmp, "demo.edge.yaml");
  writeFileSync(
    demoRecipe,
    stringify({
      ...demo,
      model: { ...demo.model, path: demoModel },
      devices: { ...demo.devices, board: { ssh: { host: sshd.alias }, workdir: join(tmp, "ssh-device") } },
      budgets: undefined, // a budget must not fail the benchmark
    }),
  );
  const sshEnv = { ...process.env, EDGE_SSH_CONFIG: sshd.configFile };
  let outN = 0;
  const out = (what: string) => join(tmp, `out-${what}-${++outN}`);

  const sshFirst = await edgeRun(demoRecipe, "board", out("ssh"), sshEnv);
  console.log(`devices: ssh first run (pushes): ${stepLine(sshFirst)}`);
  const localWall: number[] = [];
  const sshWall: number[] = [];
  let sshSecond: EdgeRun | undefined;
  const sshRuns: EdgeRun[] = [];
  const localRuns: EdgeRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? ["local", "ssh"] : ["ssh", "local"];
    for (const side of order) {
      if (side === "local") {
        const r = await edgeRun(demoRecipe, "laptop", out("local"), process.env);
        localRuns.push(r);
        localWall.push(r.wallMs);
      } else {
        const r = await edgeRun(demoRecipe, "board", out("ssh"), sshEnv);
        sshSecond ??= r;
        sshRuns.push(r);
        sshWall.push(r.wallMs);
      }
    }
    console.log(
      `devices: round ${round}: local ${ms(localWall.at(-1)!)}, ssh ${ms(sshWall.at(-1)!)} (ratio ${(sshWall.at(-1)! / localWall.at(-1)!).toFixed(3)})`,
    );
  }
  console.log(`devices: local steps (last): ${stepLine(localRuns.at(-1)!)}`);
  console.log(`devices: ssh steps (last):   ${stepLine(sshRuns.at(-1)!)}`);
  console.log(`devices: local phases (last): ${phases(localRuns.at(-1)!)}`);
  console.log(`devices: ssh phases (last):   ${phases(sshRuns.at(-1)!)}`);
  const wallRatio = median(sshWall) / median(localWall);
  console.log(
    `devices: demo recipe wall, median of ${rounds}: local ${ms(median(localWall))}, ssh (nothing to push) ${ms(median(sshWall))}, ratio ${wallRatio.toFixed(3)} (goal ≤ ${WALL_GOAL}); best ${(Math.min(...sshWall) / Math.min(...localWall)).toFixed(3)}`,
  );
  const medianStep = (runs: EdgeRun[], name: string) => median(runs.map((r) => r.steps.get(name) ?? 0));
  const stepNames = [...new Set([...sshRuns, ...localRuns].flatMap((r) => [...r.steps.keys()]))];
  console.log(
    `devices: median step ms, ssh − local: ${stepNames
      .map((n) => `${n} ${(medianStep(sshRuns, n) - medianStep(localRuns, n)).toFixed(0)}`)
      .join(", ")}`,
  );

  // Diagnostic: one more ssh run with a logging ssh first on PATH, to count the client calls and place them.
  const shim = join(tmp, "ssh-shim");
  const callLog = join(tmp, "ssh-calls.log");
  mkdirSync(shim);
  writeFileSync(
    join(shim, "ssh"),
    `#!/bin/sh\nprintf '%s %s\\n' "$(date +%s%N)" "$(printf '%s' "$*" | tr '\\n' ' ')" >> '${callLog}'\nexec /usr/bin/ssh "$@"\n`,
  );
  chmodSync(join(shim, "ssh"), 0o755);
  const traced = await edgeRun(demoRecipe, "board", out("ssh-traced"), {
    ...sshEnv,
    PATH: `${shim}:${process.env.PATH ?? "/usr/bin:/bin"}`,
  });
  // the log's clock is wall time (ns); place the calls on the run's clock from its spawn instant
  const spawnEpochMs = Date.now() - (performance.now() - traced.spawnedAt);
  const calls = readFileSync(callLog, "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const [ns, ...rest] = l.split(" ");
      return { atMs: Number(BigInt(ns) / 1_000_000n) - spawnEpochMs, what: rest.join(" ") };
    });
  const dep = traced.deploy;
  const inDeploy = dep ? calls.filter((c) => c.atMs >= dep.startMs - 50 && c.atMs <= dep.endMs + 50).length : 0;
  console.log(
    `devices: traced ssh run: ${calls.length} ssh client calls, ${inDeploy} during deploy (${dep ? `${ms(dep.startMs)}–${ms(dep.endMs)}` : "?"} after spawn, ${dep ? ms(dep.endMs - dep.startMs) : "?"}); wall ${ms(traced.wallMs)}`,
  );
  for (const c of calls) console.log(`devices:   +${c.atMs.toFixed(0)} ms  ssh ${c.what.slice(-110)}`);
  // What one such call costs here: `true` through a control master of our own (the connection made once).
  const control = ["-F", sshd.configFile, "-o", "ControlMaster=auto", "-o", `ControlPath=${join(tmp, "cm")}`];
  const rtt: number[] = [];
  for (let i = 0; i <= 5; i++) {
    const t0 = performance.now();
    await command("ssh", [...control, "-o", "ControlPersist=30", "-T", sshd.alias, "true"]);
    if (i > 0) rtt.push(performance.now() - t0); // the first one makes the master
  }
  await command("ssh", [...control, "-O", "exit", sshd.alias]);
  console.log(
    `devices: one multiplexed ssh exec of \`true\` here: median ${ms(median(rtt))} (${rtt.map((x) => x.toFixed(0)).join(", ")}); × ${calls.length - 2} exec calls ≈ ${ms(median(rtt) * (calls.length - 2))}`,
  );

  // ---- (2) push throughput through the real adb against a local copy -------------------------------------------
  phone = await startAdbFixture();
  const pushPct = await adbPushThroughput(phone);

  // ---- (3) over adb: the tiny LM, twice --------------------------------------------------------------------------
  const tinyRecipe = join(tmp, "tiny.edge.yaml");
  writeFileSync(
    tinyRecipe,
    stringify({
      name: "tiny-lm-adb",
      model: {
        path: TINY_MODEL,
        inputs: { input_ids: { shape: [1, 16], dtype: "int64", range: [32, 126] } },
      },
      devices: {
        phone: { adb: { serial: phone.serial }, workdir: join(phone.root, "data/local/tmp/edge-studio") },
      },
      run: { device: "phone", warmup: 2, iterations: 10, profile: false },
    }),
  );
  const adbEnv = { ...process.env, ...phone.adbEnv, EDGE_ADB_PATH: phone.adbPath };
  const adbFirst = await edgeRun(tinyRecipe, "phone", out("adb"), adbEnv);
  const adbSecond = await edgeRun(tinyRecipe, "phone", out("adb"), adbEnv);
  console.log(`devices: adb first run: ${stepLine(adbFirst)}`);
  console.log(`devices: adb second run: ${stepLine(adbSecond)}`);

  const t = (r: EdgeRun | undefined) =>
    r?.transfer
      ? `pushed ${r.transfer.pushedBytes} B, skipped ${r.transfer.skippedBytes} B, pulled ${r.transfer.pulledBytes} B`
      : "no device.transfer in report.json";
  console.log(`devices: ssh first run ${t(sshFirst)}; second run ${t(sshSecond)}`);
  console.log(`devices: adb first run ${t(adbFirst)}; second run ${t(adbSecond)}`);
  const secondPushed = Math.max(sshSecond?.transfer?.pushedBytes ?? NaN, adbSecond.transfer?.pushedBytes ?? NaN);

  console.log(
    `devices: ssh/local wall ${wallRatio.toFixed(3)} (goal ≤ ${WALL_GOAL}), adb push ${pushPct.ofStreamed.toFixed(0)}% of a streamed local copy, ${pushPct.ofKernel.toFixed(0)}% of a kernel copy_file_range (goal ≥ ${PUSH_GOAL_PCT}%), second-run pushed ${secondPushed} B (goal 0)`,
  );
} finally {
  await phone?.close();
  await sshd?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
