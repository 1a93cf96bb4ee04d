// The sweep of what dead processes left (engine/fs/stale-temps.ts): temporary files and folders named as a dead
// process would have named them are removed, a live process's (this one's), an unknown machine's and any name not of
// the engine's form stay; a pid now used by another process (this one, started later) counts as dead; a lock of a
// dead owner goes, a live one's stays. The dead pid is a real one: a child process that has ended.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_NAME, tryLockFolder } from "../../engine/fs/folder-lock";
import { formatOwner, ownerState, type ProcessOwner, thisOwner } from "../../engine/fs/process-owner";
import { sweepStaleTemps } from "../../engine/fs/stale-temps";
import { tempName, tempNameOwner } from "../../engine/fs/temp-names";
import { tempPathFor } from "../../engine/fs/atomic";
import { releaseTempPath } from "../../engine/fs/temp-paths";

/** An owner that has ended: a child process that ran and exited (its pid is free, or another process's now). */
function deadOwner(): ProcessOwner {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.equal(child.status, 0);
  return { ...thisOwner(), pid: child.pid!, start: "1" };
}

void test("owners: this process is alive, an ended child is dead, this pid with another start is dead", () => {
  const me = thisOwner();
  assert.equal(me.pid, process.pid);
  assert.equal(ownerState(me), "alive");
  assert.equal(ownerState(deadOwner()), "dead");
  assert.equal(ownerState({ ...me, start: me.start === "1" ? "2" : "1" }), "dead", "a reused pid is not its owner");
  assert.equal(ownerState({ ...deadOwner(), machine: me.machine === "000000" ? "111111" : "000000" }), "unknown");
  // The parent of this process is alive too: another pid, checked through its start time (Linux).
  const start = parentStart();
  if (start) assert.equal(ownerState({ ...me, pid: process.ppid, start }), "alive");
});

/** The parent's start as process-owner.ts writes it (Linux only). */
function parentStart(): string | undefined {
  if (process.platform !== "linux") return undefined;
  const stat = spawnSync("cat", [`/proc/${process.ppid}/stat`], { encoding: "utf8" }).stdout;
  const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  return ticks ? BigInt(ticks).toString(36) : undefined;
}

void test("temporary names carry their owner; other names carry none", () => {
  const me = thisOwner();
  const name = tempName(".model.onnx");
  assert.match(name, /^\.model\.onnx\.edge-\d+-t?[0-9a-z]+-[0-9a-f]{6}-[0-9a-f]{8}\.tmp$/);
  assert.deepEqual(tempNameOwner(name), me);
  assert.ok(name.includes(formatOwner(me)));
  for (const other of [
    ".model.onnx.12345.abcdef01.tmp", // the form before owners were named
    "notes.tmp",
    ".profile-AbC123",
    `.edge-${formatOwner(me)}-abcdef01.tmp`, // no stem
    `x.edge-${formatOwner(me)}-abcdef01.tmp.bak`,
  ])
    assert.equal(tempNameOwner(other), undefined, other);
});

void test("a sweep removes the dead processes' temporary files and folders, and nothing else", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-sweep-"));
  const dead = deadOwner();
  const reused = { ...thisOwner(), start: thisOwner().start === "1" ? "2" : "1" };
  const unknown = { ...dead, machine: thisOwner().machine === "000000" ? "111111" : "000000" };
  const deadFile = tempName(".out.onnx", dead);
  const deadFolder = tempName(".profile", dead);
  const reusedFile = tempName(".report.json", reused);
  const liveFile = tempName(".out.onnx", thisOwner());
  const liveFolder = tempName(".model.compiled.onnx.compile", thisOwner());
  const unknownFile = tempName(".out.onnx", unknown);
  writeFileSync(join(dir, deadFile), "");
  mkdirSync(join(dir, deadFolder));
  writeFileSync(join(dir, deadFolder, "ort_2026.json"), "[]");
  writeFileSync(join(dir, reusedFile), "");
  writeFileSync(join(dir, liveFile), "");
  mkdirSync(join(dir, liveFolder));
  writeFileSync(join(dir, unknownFile), "");
  const others = ["out.onnx", ".out.onnx.12345.abcdef01.tmp", ".profile-AbC123", "notes.tmp", ".hidden"];
  for (const name of others) writeFileSync(join(dir, name), "x");

  const removed = sweepStaleTemps(dir).map((p) => p.slice(dir.length + 1));
  assert.deepEqual(removed.sort(), [deadFile, deadFolder, reusedFile].sort());
  assert.deepEqual(readdirSync(dir).sort(), [...others, liveFile, liveFolder, unknownFile].sort());
  assert.deepEqual(sweepStaleTemps(dir), [], "a second sweep finds nothing");
  assert.deepEqual(sweepStaleTemps(join(dir, "missing")), [], "a missing folder is nothing to sweep");
});

void test("an atomic write's first write into a folder sweeps it", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-sweep-write-"));
  const stale = tempName(".out.onnx", deadOwner());
  writeFileSync(join(dir, stale), "");
  const tmp = tempPathFor(join(dir, "out.onnx"));
  releaseTempPath(tmp);
  assert.deepEqual(readdirSync(dir), [], "the dead process's file is gone (the new name is not made yet)");
  assert.deepEqual(tempNameOwner(tmp.slice(dir.length + 1)), thisOwner());
});

void test("folder locks: one holder at a time; a dead holder's lock is taken over, and swept", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-lock-"));
  const first = tryLockFolder(dir, "edge run a.edge.yaml");
  assert.ok("lock" in first);
  const second = tryLockFolder(dir, "edge run b.edge.yaml");
  assert.ok("holder" in second);
  assert.equal(second.holder.state, "alive");
  assert.equal(second.holder.pid, process.pid);
  assert.equal(second.holder.purpose, "edge run a.edge.yaml");
  assert.deepEqual(sweepStaleTemps(dir), [], "a live lock stays");
  first.lock.release();
  assert.deepEqual(readdirSync(dir), [], "released: the lock file is gone, and no staging file is left");

  // A lock left by a dead process: the next lock takes it over; a sweep removes it.
  const dead = deadOwner();
  const stale = `${JSON.stringify({ owner: formatOwner(dead), pid: dead.pid, purpose: "edge run old", since: "2026-01-01T00:00:00Z" })}\n`;
  writeFileSync(join(dir, LOCK_NAME), stale);
  const taken = tryLockFolder(dir, "edge run c.edge.yaml");
  assert.ok("lock" in taken, "a dead holder's lock does not refuse");
  taken.lock.release();
  writeFileSync(join(dir, LOCK_NAME), stale);
  assert.deepEqual(sweepStaleTemps(dir), [join(dir, LOCK_NAME)]);
  assert.deepEqual(readdirSync(dir), []);

  // A lock that cannot be read as one (another tool's, or cut short): never taken over, never swept.
  writeFileSync(join(dir, LOCK_NAME), "garbage");
  const refused = tryLockFolder(dir, "edge run d.edge.yaml");
  assert.ok("holder" in refused);
  assert.equal(refused.holder.state, "unknown");
  assert.deepEqual(sweepStaleTemps(dir), []);
});
