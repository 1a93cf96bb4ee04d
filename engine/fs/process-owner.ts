// Who owns a temporary file or a lock: a process named by its pid, its start time and its machine, and whether that
// process is still alive. A pid alone is not enough: once a process is gone its pid is given to another, so a
// temporary file of a dead run could look like a live process's. On Linux the start time is /proc/<pid>/stat's field
// 22 (clock ticks since boot), which a reused pid does not share; elsewhere it is this process's start in
// milliseconds, which other processes cannot check, so there a pid that exists counts as alive (a stale file of a
// reused pid stays, never the other way round). The machine is a hash of the host name and, on Linux, the pid
// namespace: a file made on another machine (a shared folder) or in another container is never judged.
import { createHash } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

export interface ProcessOwner {
  pid: number;
  /** The process's start: base-36 clock ticks since boot on Linux, `t` + base-36 milliseconds elsewhere. */
  start: string;
  /** 6 hex digits of the host name (and pid namespace); owners on another machine are never judged. */
  machine: string;
}

/** `alive`: the process runs; `dead`: it ended (or its pid now belongs to another process); `unknown`: cannot tell. */
export type OwnerState = "alive" | "dead" | "unknown";

/** Linux clock-tick start of `pid` from /proc/<pid>/stat, base 36; `null` when there is no such process there. */
function procStart(pid: number): string | null | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ")";
  // field 3 (state) is the first there, so field 22 (starttime) is the 20th.
  const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  return ticks && /^\d+$/.test(ticks) ? BigInt(ticks).toString(36) : undefined;
}

function machineId(): string {
  let namespace = "";
  try {
    namespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    // Not Linux, or /proc hidden: the host name alone.
  }
  return createHash("sha256").update(`${hostname()}\0${namespace}`).digest("hex").slice(0, 6);
}

let self: ProcessOwner | undefined;

/** This process as an owner. */
export function thisOwner(): ProcessOwner {
  self ??= {
    pid: process.pid,
    start: procStart(process.pid) ?? `t${Math.round(performance.timeOrigin).toString(36)}`,
    machine: machineId(),
  };
  return self;
}

/** `PID-START-MACHINE`, the form owners take in file names and lock files. */
export function formatOwner(owner: ProcessOwner): string {
  return `${owner.pid}-${owner.start}-${owner.machine}`;
}

const OWNER = /^(\d{1,10})-(t?[0-9a-z]{1,16})-([0-9a-f]{6})$/;

/** The owner `formatOwner` wrote, or undefined for anything else. */
export function parseOwner(text: string): ProcessOwner | undefined {
  const m = OWNER.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  return pid > 0 ? { pid, start: m[2], machine: m[3] } : undefined;
}

/** Whether `owner` still runs. Only `dead` allows removing what it left. */
export function ownerState(owner: ProcessOwner): OwnerState {
  const me = thisOwner();
  if (owner.machine !== me.machine) return "unknown";
  if (owner.pid === me.pid) return owner.start === me.start ? "alive" : "dead";
  const exists = pidExists(owner.pid);
  if (exists === false) return "dead";
  // The pid exists: on Linux its start says whether it is still the same process.
  const start = owner.start.startsWith("t") ? undefined : procStart(owner.pid);
  if (typeof start === "string") return start === owner.start ? "alive" : "dead";
  return exists === true ? "alive" : "unknown";
}

/** `process.kill(pid, 0)`: true when the pid exists (EPERM: another user's), false when not, undefined otherwise. */
function pidExists(pid: number): boolean | undefined {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    return code === "EPERM" ? true : undefined;
  }
}
