// The local transport on this machine: argv without a shell, cwd/env, separate streams, live output, cancel that
// stops the whole process group, copies through a temporary name, and the probe of this machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, homedir, totalmem } from "node:os";
import { join } from "node:path";
import { createLocalTransport } from "../../engine/transports/local";
import type { TransferProgress } from "../../engine/transports/transport";
import { processAlive } from "../fixtures/sshd";
import { eventually, HOSTILE_NAMES, run, tempDir } from "./helpers";

const local = createLocalTransport();
const posix = process.platform !== "win32";

void test("exec: argv goes to the program as it is (no shell), with cwd, env and stdin", { skip: !posix }, async () => {
  const dir = join(tempDir(), `it's $(x) dir`);
  mkdirSync(dir);
  const r = await run(local, ["sh", "-c", 'printf "%s|" "$V" "$@"; pwd', "sh", ...HOSTILE_NAMES, ""], {
    cwd: dir,
    env: { V: "$(id) `id` 'q'" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${["$(id) `id` 'q'", ...HOSTILE_NAMES, ""].join("|")}|${dir}\n`);
  assert.equal((await run(local, ["cat"], { stdin: Buffer.from("in\0put") })).stdout, "in\0put");
  assert.equal((await run(local, ["pwd"], { cwd: "~" })).stdout.trim(), homedir());
  await assert.rejects(local.exec(["pwd"], { cwd: join(dir, "missing") }), { code: "transport/failed" });
  await assert.rejects(local.exec(["true"], { env: { "BAD NAME": "x" } }), { code: "transport/failed" });
});

void test("exec: exit codes, separate stderr, signals, a missing program as status 127", { skip: !posix }, async () => {
  const r = await run(local, ["sh", "-c", "echo out; echo err >&2; exit 5"]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [5, "out\n", "err\n"]);
  const killed = await run(local, ["sh", "-c", "kill -KILL $$"]);
  assert.deepEqual([killed.code, killed.signal], [null, "SIGKILL"]);
  const missing = await run(local, ["edge-no-such-program-here"]);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /not found/);
});

void test("exec streams output while the program runs", { skip: !posix }, async () => {
  const flag = join(tempDir(), "flag");
  let seen = false;
  const r = await run(
    local,
    ["sh", "-c", 'echo first; while [ ! -f "$1" ]; do sleep 0.05; done; echo second', "sh", flag],
    {
      onStdout: (c) => {
        if (!seen && c.toString().includes("first")) {
          seen = true;
          writeFileSync(flag, "");
        }
      },
    },
  );
  assert.deepEqual([seen, r.stdout], [true, "first\nsecond\n"]);
});

void test(
  "cancel stops the program and its children, SIGKILL for one that ignores SIGTERM",
  { skip: !posix },
  async () => {
    const controller = new AbortController();
    let pids: number[] = [];
    const r = await local.exec(["sh", "-c", "trap '' TERM; sleep 60 & echo $$ $!; while :; do sleep 0.1; done"], {
      signal: controller.signal,
      onStdout: (c) => {
        pids = c.toString().trim().split(/\s+/).map(Number);
        controller.abort();
      },
    });
    assert.deepEqual(r, { code: null, signal: "aborted" });
    assert.equal(pids.length, 2);
    assert.ok(await eventually(() => pids.every((p) => !processAlive(p)), 3000), `still alive: ${pids}`);
    assert.deepEqual(await local.exec(["true"], { signal: AbortSignal.abort() }), { code: null, signal: "aborted" });
  },
);

void test("push and pull copy bytes through a temporary name, making folders, with progress", async () => {
  const dir = tempDir();
  const data = randomBytes(1024 * 1024 + 3);
  const src = join(dir, "src.bin");
  writeFileSync(src, data);
  for (const name of HOSTILE_NAMES.filter((n) => posix || !/[\n|\\*?"]/.test(n))) {
    const target = join(dir, "device", name, name);
    const progress: TransferProgress[] = [];
    await local.push(src, target, { onProgress: (p) => progress.push(p) });
    assert.ok(readFileSync(target).equals(data));
    assert.deepEqual(readdirSync(join(dir, "device", name)), [name]);
    assert.deepEqual(progress.at(-1), { path: src, doneBytes: data.length, totalBytes: data.length });
    const back = join(dir, "back", name);
    await local.pull(target, back);
    assert.ok(readFileSync(back).equals(data));
  }
  await assert.rejects(local.pull(join(dir, "missing"), join(dir, "x")), { code: "transport/failed" });
  await assert.rejects(local.push(dir, join(dir, "y")), { code: "transport/failed" }, "a folder is not a file");
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(local.push(src, join(dir, "aborted", "f"), { signal: controller.signal }), {
    name: "AbortError",
  });
  assert.deepEqual(readdirSync(join(dir, "aborted")), []);
});

void test("probe: this machine's cores, memory and arch", async () => {
  const workdir = join(tempDir(), "work");
  const probe = await local.probe(workdir);
  assert.equal(probe.arch, process.arch);
  assert.equal(probe.cores, cpus().length);
  assert.equal(probe.totalMemoryBytes, totalmem());
  assert.equal(probe.workdir, workdir);
  assert.ok(statSync(workdir).isDirectory());
  assert.ok(probe.freeBytes! > 0);
  assert.equal(existsSync(join(workdir, "runners")), false);
  if (posix) assert.equal(probe.os, process.platform === "darwin" ? "darwin" : "linux");
});
