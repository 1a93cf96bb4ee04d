// The names of the engine's temporary files and folders: `STEM.edge-PID-START-MACHINE-RANDOM.tmp` (an atomic write's
// `.out.onnx.edge-….tmp` beside its target, a profile capture's `.profile.edge-….tmp` and a compile's
// `.model.compiled.onnx.compile.edge-….tmp` in a run folder, `edge-evaluate.edge-….tmp` in the system's temporary
// folder). The owner part (process-owner.ts) lets a later process recognise what a dead one left behind; nothing
// else the engine or a user writes has this form, so a sweep (stale-temps.ts) removes only these.
import { randomBytes } from "node:crypto";
import { formatOwner, parseOwner, type ProcessOwner, thisOwner } from "./process-owner";

const TEMP_NAME = /\.edge-(\d+-t?[0-9a-z]+-[0-9a-f]{6})-[0-9a-f]{8}\.tmp$/;

/** A fresh temporary name for `stem` (a file or folder name, or a path ending in one), owned by this process. */
export function tempName(stem: string, owner: ProcessOwner = thisOwner()): string {
  return `${stem}.edge-${formatOwner(owner)}-${randomBytes(4).toString("hex")}.tmp`;
}

/** The owner named in a temporary name of the engine's form (a base name), or undefined for any other name. */
export function tempNameOwner(name: string): ProcessOwner | undefined {
  const m = TEMP_NAME.exec(name);
  return m && m.index > 0 ? parseOwner(m[1]) : undefined;
}
