// The ssh transport against a real OpenSSH server on loopback (test/fixtures/sshd.ts): exit codes and separate
// stderr, live streaming, one shared connection, cancel that really stops the remote process, push/pull with hostile
// names, the probe, and every failure mapped to its transport/* code. Skipped only when /usr/sbin/sshd is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, homedir } from "node:os";
import { join } from "node:path";
import { isEdgeError } from "../../engine/errors";
import { createSshTransport, type OpenSshTransport, type SshOptions } from "../../engine/transports/ssh";
import type { TransferProgress } from "../../engine/transports/transport";
import { processAlive, type Sshd, sshdAvailable, startSshd } from "../fixtures/sshd";
import { eventually, HOSTILE_NAMES, run, tempDir, within } from "./helpers";

const skip = sshdAvailable ? false : "/usr/sbin/sshd is not installed";
let sshd: Sshd;
const transports: OpenSshTransport[] = [];

before(async () => {
  if (!skip) sshd = await startSshd();
});
after(async () => {
  for (const t of transports) await t.close();
  await sshd?.stop();
});

/** A transport to the fixture through its ssh config alias (as a user's board in ~/.ssh/config). */
function board(extra: Partial<SshOptions> = {}): OpenSshTransport {
  const t = createSshTransport({ host: sshd.alias, configFile: sshd.configFile, name: "board", ...extra });
  transports.push(t);
  return t;
}

/** A transport by address, reading no ssh config at all. */
function direct(extra: Partial<SshOptions>): OpenSshTransport {
  const t = createSshTransport({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    configFile: "none",
    identityFile: sshd.identityFile,
    knownHostsFile: sshd.knownHostsFile,
    ...extra,
  });
  transports.push(t);
  return t;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected a rejection");
}

void test("exec: exit codes, stdout and stderr apart, 255 and signals of the program itself", { skip }, async () => {
  const t = board();
  const r = await run(t, ["sh", "-c", "echo out; echo err >&2; printf 'no newline' >&2; exit 3"]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, "out\n", "err\nno newline"]);
  assert.equal((await run(t, ["true"])).code, 0);
  assert.equal((await run(t, ["sh", "-c", "exit 255"])).code, 255, "a program's own 255 is not an ssh failure");
  const killed = await run(t, ["sh", "-c", "kill -TERM $$"]);
  assert.deepEqual([killed.code, killed.signal], [null, "SIGTERM"]);
  const missing = await run(t, ["edge-no-such-program"]);
  assert.equal(missing.code, 127);
});

void test("exec: arguments, cwd and env arrive byte-identical; a missing cwd is an error", { skip }, async () => {
  const t = board();
  const dir = join(tempDir(), `dir with 'quotes' and $(x)`);
  mkdirSync(dir);
  const value = `it's "$(id)" \`id\` ; * \n ~ é`;
  const r = await run(t, ["sh", "-c", 'printf "%s|" "$V" "$@"; pwd', "sh", ...HOSTILE_NAMES, ""], {
    cwd: dir,
    env: { V: value },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${[value, ...HOSTILE_NAMES, ""].join("|")}|${dir}\n`);
  const stdin = await run(t, ["cat"], { stdin: "piped\ninput" });
  assert.equal(stdin.stdout, "piped\ninput");
  const home = await run(t, ["pwd"], { cwd: "~" });
  assert.equal(home.stdout.trim(), homedir());
  const e = await rejection(t.exec(["pwd"], { cwd: join(dir, "missing") }));
  assert.equal(e.code, "transport/failed");
});

void test("exec streams: a line arrives while the command still runs", { skip }, async () => {
  const t = board();
  const flag = join(tempDir(), "flag");
  let sawFirst = false;
  const r = await run(
    t,
    ["sh", "-c", 'echo first; while [ ! -f "$1" ]; do sleep 0.05; done; echo second', "sh", flag],
    {
      onStdout: (c) => {
        // the command waits for this file, so "first" must have come before its end
        if (!sawFirst && c.toString().includes("first")) {
          sawFirst = true;
          writeFileSync(flag, "");
        }
      },
    },
  );
  assert.ok(sawFirst);
  assert.deepEqual([r.code, r.stdout], [0, "first\nsecond\n"]);
});

void test("one connection serves every call: the control master runs and stays the same", { skip }, async () => {
  const t = board();
  // concurrent first calls share one master
  const results = await Promise.all([1, 2, 3].map((i) => run(t, ["echo", String(i)])));
  assert.deepEqual(
    results.map((r) => r.stdout),
    ["1\n", "2\n", "3\n"],
  );
  const socket = t.controlSocket!;
  assert.ok(statSync(socket).isSocket());
  const check = () =>
    spawnSync("ssh", ["-F", sshd.configFile, "-o", `ControlPath=${socket}`, "-O", "check", sshd.alias], {
      encoding: "utf8",
    });
  const first = check();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /Master running \(pid=\d+\)/);
  await run(t, ["true"]);
  assert.equal(check().stderr, first.stderr, "the same master pid after another call");
  await t.close();
  assert.equal(existsSync(socket), false);
  assert.notEqual(check().status, 0);
  assert.equal((await rejection(t.exec(["true"]))).code, "transport/failed");
  await t.close(); // idempotent
});

void test("cancel stops the remote process and its children", { skip }, async () => {
  const t = board();
  const controller = new AbortController();
  let pids: number[] = [];
  const started = Date.now();
  const result = await t.exec(["sh", "-c", "sleep 60 & echo $$ $!; wait"], {
    signal: controller.signal,
    onStdout: (c) => {
      pids = c.toString().trim().split(/\s+/).map(Number);
      controller.abort();
    },
  });
  assert.deepEqual(result, { code: null, signal: "aborted" });
  assert.equal(pids.length, 2);
  assert.ok(Date.now() - started < 10_000);
  assert.ok(await eventually(() => pids.every((p) => !processAlive(p)), 2000), `still alive: ${pids}`);

  // a program that ignores SIGTERM is killed after the grace
  const stubborn = new AbortController();
  let pid = 0;
  const r2 = await t.exec(["sh", "-c", "trap '' TERM; echo $$; while :; do sleep 0.1; done"], {
    signal: stubborn.signal,
    onStdout: (c) => {
      pid = Number(c.toString().trim());
      stubborn.abort();
    },
  });
  assert.equal(r2.signal, "aborted");
  assert.ok(await eventually(() => !processAlive(pid), 2000));
  // an already aborted signal runs nothing
  assert.deepEqual(await t.exec(["true"], { signal: AbortSignal.abort() }), { code: null, signal: "aborted" });
});

void test("push and pull round-trip bytes under hostile names, atomically, with progress", { skip }, async () => {
  const t = board();
  const local = tempDir();
  const remoteRoot = join(tempDir(), "remote");
  const data = randomBytes(3 * 1024 * 1024 + 17);
  for (const name of HOSTILE_NAMES) {
    const src = join(local, `src-${name.replace(/[\n/]/g, "_")}`);
    writeFileSync(src, data);
    const remote = join(remoteRoot, name, name);
    const progress: TransferProgress[] = [];
    await t.push(src, remote, { onProgress: (p) => progress.push(p) });
    assert.ok(readFileSync(remote).equals(data), `pushed ${JSON.stringify(name)}`);
    assert.deepEqual(readdirSync(join(remoteRoot, name)), [name], "no temporary file left beside it");
    assert.deepEqual(progress.at(-1), { path: src, doneBytes: data.length, totalBytes: data.length });
    const back = join(local, "back", name);
    const pulled: TransferProgress[] = [];
    await t.pull(remote, back, { onProgress: (p) => pulled.push(p) });
    assert.ok(readFileSync(back).equals(data), `pulled ${JSON.stringify(name)}`);
    assert.deepEqual(pulled.at(-1), { path: remote, doneBytes: data.length, totalBytes: data.length });
  }
  assert.equal(existsSync("pwned"), false);
  // an empty file, and over an existing file
  const empty = join(local, "empty");
  writeFileSync(empty, "");
  await t.push(empty, join(remoteRoot, "x", "empty"));
  assert.equal(readFileSync(join(remoteRoot, "x", "empty")).length, 0);
  await t.push(empty, join(remoteRoot, HOSTILE_NAMES[0], HOSTILE_NAMES[0]));
  assert.equal(statSync(join(remoteRoot, HOSTILE_NAMES[0], HOSTILE_NAMES[0])).size, 0);
  // `~/` means the remote home
  const homeDir = `edge-ssh-test-${randomBytes(4).toString("hex")}`;
  try {
    await t.push(empty, `~/${homeDir}/f`);
    assert.ok(existsSync(join(homedir(), homeDir, "f")));
  } finally {
    execFileSync("rm", ["-rf", join(homedir(), homeDir)]);
  }
  // a missing remote file
  const e = await rejection(t.pull(join(remoteRoot, "missing"), join(local, "m")));
  assert.equal(e.code, "transport/failed");
  assert.equal(existsSync(join(local, "m")), false);
});

void test("probe: this machine seen through ssh", { skip }, async () => {
  const t = board();
  const workdir = join(tempDir(), "work dir");
  const probe = await t.probe(workdir);
  assert.equal(probe.os, "linux");
  assert.equal(probe.arch, process.arch);
  assert.equal(probe.cores, cpus().length);
  assert.equal(probe.workdir, workdir);
  assert.ok(statSync(workdir).isDirectory());
  assert.ok(probe.totalMemoryBytes! > 0 && probe.freeBytes! > 0);
});

void test("a key the server does not accept is transport/auth", { skip }, async () => {
  const t = direct({ identityFile: sshd.otherIdentityFile });
  const e = await rejection(t.exec(["true"]));
  assert.ok(isEdgeError(e));
  assert.equal(e.code, "transport/auth");
  assert.match(e.message, /Permission denied/);
  // and the right key works the same way
  assert.equal((await run(direct({}), ["true"])).code, 0);
});

void test("an unknown host key is transport/auth with a known_hosts hint, never accepted", { skip }, async () => {
  const knownHosts = join(tempDir(), "known_hosts");
  writeFileSync(knownHosts, "");
  const t = direct({ knownHostsFile: knownHosts });
  const e = await rejection(t.probe("/tmp"));
  assert.equal(e.code, "transport/auth");
  assert.match(e.hint ?? "", /known_hosts/);
  assert.doesNotMatch(e.hint ?? "", /StrictHostKeyChecking|disable/i);
  assert.equal(readFileSync(knownHosts, "utf8"), "", "the key was not added");
  // a changed key too
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${readFileSync(`${sshd.otherIdentityFile}.pub`, "utf8")}`);
  assert.equal((await rejection(direct({ knownHostsFile: knownHosts }).exec(["true"]))).code, "transport/auth");
});

void test(
  "a closed port is transport/unreachable; a missing ssh program is transport/not-found",
  { skip },
  async () => {
    const { createServer } = await import("node:net");
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const e = await rejection(direct({ port }).exec(["true"]));
    assert.equal(e.code, "transport/unreachable");
    assert.match(e.message, /Connection refused/);
    const nf = await rejection(direct({ sshPath: "/nonexistent/ssh" }).exec(["true"]));
    assert.equal(nf.code, "transport/not-found");
    const plain = await rejection(direct({ sshPath: "/nonexistent/ssh", multiplex: false }).exec(["true"]));
    assert.equal(plain.code, "transport/not-found");
  },
);

void test("without connection sharing every call connects on its own", { skip }, async () => {
  const t = board({ multiplex: false });
  assert.equal(t.controlSocket, undefined);
  const r = await run(t, ["sh", "-c", "echo ok; exit 4"]);
  assert.deepEqual([r.code, r.stdout], [4, "ok\n"]);
  const controller = new AbortController();
  let pid = 0;
  const aborted = await t.exec(["sh", "-c", "echo $$; sleep 60"], {
    signal: controller.signal,
    onStdout: (c) => {
      pid = Number(c.toString().trim());
      controller.abort();
    },
  });
  assert.equal(aborted.signal, "aborted");
  assert.ok(await eventually(() => !processAlive(pid), 2000));
});

void test("a device that dies mid-command is transport/disconnected within 5 s", { skip }, async () => {
  const dying = await startSshd();
  try {
    const t = createSshTransport({ host: dying.alias, configFile: dying.configFile });
    transports.push(t);
    let killedAt = 0;
    const pending = t.exec(["sh", "-c", "echo go; sleep 60"], {
      onStdout: () => {
        if (!killedAt) {
          killedAt = Date.now();
          dying.kill();
        }
      },
    });
    const e = await within(rejection(pending), 5000, "noticing the dead device");
    assert.equal(e.code, "transport/disconnected", e.message);
    // the next call cannot reach it
    const next = await rejection(t.exec(["true"]));
    assert.equal(next.code, "transport/unreachable");
  } finally {
    await dying.stop();
  }
});

void test("a cancelled push or pull leaves nothing behind on either side", { skip }, async () => {
  const t = board();
  const local = tempDir();
  const remoteDir = join(tempDir(), "r");
  const big = join(local, "big");
  writeFileSync(big, randomBytes(64 * 1024 * 1024));
  const controller = new AbortController();
  const pushing = t.push(big, join(remoteDir, "big"), {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.doneBytes > 0) controller.abort();
    },
  });
  const e = await rejection(pushing);
  assert.equal(e.name, "AbortError");
  // no temporary file stays; the target is there only if the copy was complete before the cancel took effect
  const left = () => (existsSync(remoteDir) ? readdirSync(remoteDir).filter((n) => n !== "big") : []);
  assert.ok(await eventually(() => left().length === 0, 3000), `left behind: ${left()}`);
  if (existsSync(join(remoteDir, "big"))) assert.equal(statSync(join(remoteDir, "big")).size, 64 * 1024 * 1024);

  writeFileSync(join(local, "small"), "x");
  await t.push(join(local, "small"), join(remoteDir, "small"));
  const pullController = new AbortController();
  const pulling = t.pull(join(remoteDir, "small"), join(local, "out", "small"), { signal: pullController.signal });
  pullController.abort();
  assert.equal((await rejection(pulling)).name, "AbortError");
  assert.equal(existsSync(join(local, "out", "small")), false);
  assert.deepEqual(existsSync(join(local, "out")) ? readdirSync(join(local, "out")) : [], []);
});
