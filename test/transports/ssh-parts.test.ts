// The ssh transport's pure parts: the command line from options, the remote wrapper (run here through a real sh),
// the marker filter on every chunking, exit statuses, and ssh's stderr read into transport/* codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { sshBaseArgs, sshCommandArgs, sshOptionsFromRecipe } from "../../engine/transports/ssh-args";
import { classifySshStderr, sshError } from "../../engine/transports/ssh-errors";
import { MarkerFilter, newMarker, statusToResult, wrapperCommand } from "../../engine/transports/ssh-wrapper";
import { shellPath, shellQuote } from "../../engine/transports/shell-quote";

void test("the command line: batch mode, checks kept, recipe options, the destination after --", () => {
  const options = sshOptionsFromRecipe(
    { host: "-oProxyCommand=evil", user: "pi", port: 2222, identity_file: "/k/id", proxy_jump: "bastion" },
    { knownHostsFile: "/k/known", configFile: "/k/config" },
  );
  const args = sshCommandArgs(options, ["-o", "ControlPath=/c"], "echo hi");
  assert.deepEqual(args.slice(-3), ["--", "-oProxyCommand=evil", "echo hi"], "a host is never an option");
  const text = args.join(" ");
  for (const part of [
    "-F /k/config",
    "-o BatchMode=yes",
    "-o UserKnownHostsFile=/k/known",
    "-i /k/id",
    "-o IdentitiesOnly=yes",
    "-l pi",
    "-p 2222",
    "-J bastion",
    "-o ControlPath=/c",
    "-o ConnectTimeout=15",
  ]) {
    assert.ok(text.includes(part), part);
  }
  assert.doesNotMatch(text, /StrictHostKeyChecking/);
  const minimal = sshBaseArgs({ host: "board" });
  assert.equal(
    minimal.includes("-i") || minimal.includes("-l") || minimal.includes("-p") || minimal.includes("-F"),
    false,
  );
});

/** Runs the wrapper command through a local sh, as the remote login shell would. */
function wrapped(argv: string[], cwd?: string, env: Record<string, string> = {}) {
  const marker = newMarker();
  const command = wrapperCommand(
    marker,
    cwd === undefined ? undefined : shellPath(cwd),
    Object.entries(env).map(([k, v]) => `${k}=${v}`),
    argv.map(shellQuote),
  );
  const r = spawnSync("sh", ["-c", command], { encoding: "buffer" });
  const records: string[] = [];
  const err: Buffer[] = [];
  const filter = new MarkerFilter(
    marker,
    (c) => err.push(c),
    (rec) => records.push(rec),
  );
  filter.push(r.stderr);
  filter.end();
  return { stdout: r.stdout.toString(), stderr: Buffer.concat(err).toString(), records, status: r.status };
}

void test(
  "the wrapper reports its pid and the program's status, and a missing cwd",
  { skip: process.platform === "win32" },
  () => {
    const r = wrapped(["sh", "-c", 'printf "%s" "$X"; printf "tail without newline" >&2; exit 9'], "/", { X: "a b'c" });
    assert.equal(r.stdout, "a b'c");
    assert.equal(r.stderr, "tail without newline");
    assert.equal(r.records.length, 2);
    assert.match(r.records[0], /^pid=\d+$/);
    assert.equal(r.records[1], "exit=9");
    assert.equal(r.status, 9);
    assert.deepEqual(wrapped(["true"], "/no/such/dir").records, ["nocwd"]);
    assert.deepEqual(wrapped(["sh", "-c", "kill -SEGV $$"]).records.at(-1), "exit=139");
  },
);

void test("the marker filter passes every other byte through unchanged, however the stream is cut", () => {
  const marker = "edge-0123456789ab:";
  const stream = Buffer.from(
    `x${marker.slice(0, 5)}y\n${marker}pid=42\nerr é\npartial${marker}exit=3\n${marker.slice(0, 7)}`,
  );
  for (let cut = 1; cut <= stream.length; cut++) {
    const out: Buffer[] = [];
    const records: string[] = [];
    const filter = new MarkerFilter(
      marker,
      (c) => out.push(Buffer.from(c)),
      (r) => records.push(r),
    );
    for (let i = 0; i < stream.length; i += cut) filter.push(stream.subarray(i, i + cut));
    filter.end();
    assert.equal(
      Buffer.concat(out).toString(),
      `x${marker.slice(0, 5)}y\nerr é\npartial${marker.slice(0, 7)}`,
      `cut ${cut}`,
    );
    assert.deepEqual(records, ["pid=42", "exit=3"], `cut ${cut}`);
  }
});

void test("exit statuses: 128 + a common signal is that signal, others are codes", () => {
  assert.deepEqual(statusToResult(0), { code: 0 });
  assert.deepEqual(statusToResult(255), { code: 255 });
  assert.deepEqual(statusToResult(137), { code: null, signal: "SIGKILL" });
  assert.deepEqual(statusToResult(143), { code: null, signal: "SIGTERM" });
  assert.deepEqual(statusToResult(128), { code: 128 });
  assert.deepEqual(statusToResult(200), { code: 200 });
});

void test("ssh's stderr read into transport codes", () => {
  const cases: [string, boolean, string][] = [
    ["root@10.0.0.2: Permission denied (publickey).", false, "transport/auth"],
    ["Received disconnect from 10.0.0.2 port 22:2: Too many authentication failures", false, "transport/auth"],
    [
      "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\r\nHost key verification failed.",
      false,
      "transport/auth",
    ],
    [
      "@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\nHost key verification failed.",
      false,
      "transport/auth",
    ],
    ["ssh: connect to host 127.0.0.1 port 1: Connection refused", false, "transport/unreachable"],
    ["ssh: Could not resolve hostname nosuch.invalid: Name or service not known", false, "transport/unreachable"],
    ["ssh: connect to host 10.255.255.1 port 22: Connection timed out", false, "transport/unreachable"],
    ["ssh: connect to host 10.0.0.9 port 22: No route to host", false, "transport/unreachable"],
    ["kex_exchange_identification: read: Connection reset by peer", false, "transport/unreachable"],
    ["Connection to 10.0.0.2 closed by remote host.", true, "transport/disconnected"],
    ["client_loop: send disconnect: Broken pipe", true, "transport/disconnected"],
    ["Timeout, server 10.0.0.2 not responding.", true, "transport/disconnected"],
    ["", true, "transport/disconnected"],
    ["cp: /x: Permission denied (the program's own stderr)", true, "transport/disconnected"],
    ["something new", false, "transport/failed"],
  ];
  for (const [stderr, started, code] of cases) assert.equal(sshError(stderr, "board", started).code, code, stderr);
  const hostKey = sshError("Host key verification failed.", "board", false);
  assert.match(hostKey.hint!, /known_hosts/);
  assert.doesNotMatch(hostKey.hint!, /StrictHostKeyChecking=no/);
  assert.equal(sshError("x", "board", false).where.device, "board");
  assert.equal(
    classifySshStderr("Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts."),
    "failed",
  );
});
