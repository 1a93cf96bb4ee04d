// Host names from the user's OpenSSH config (~/.ssh/config and the files it `Include`s), for completing
// `devices.X.ssh.host` and for `edge devices`. Patterns (`*`, `?`, `!`) are not hosts one can connect to, so they
// are left out. Only regular files are read (a FIFO named by an Include is skipped, never waited on).
import { promises as fs } from "node:fs";
import { readRegularTextFile } from "../fs/regular-file";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/** Includes nested deeper than this are ignored (OpenSSH's own limit is 16). */
const MAX_INCLUDE_DEPTH = 16;

/** Splits an ssh_config argument list, keeping "quoted words" together. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) args.push(match[1] ?? match[2]);
  return args;
}

const isPattern = (host: string): boolean => /[*?!]/.test(host);

/** The `Host` names of a config file and the files it includes, in order, without duplicates or patterns. */
export async function sshConfigHosts(configPath: string, homeDir: string): Promise<string[]> {
  const hosts = new Set<string>();
  const visited = new Set<string>();
  await readConfig(resolve(configPath), homeDir, hosts, visited, 0);
  return [...hosts];
}

async function readConfig(
  path: string,
  homeDir: string,
  hosts: Set<string>,
  visited: Set<string>,
  depth: number,
): Promise<void> {
  if (depth > MAX_INCLUDE_DEPTH || visited.has(path)) return;
  visited.add(path);
  let text: string;
  try {
    text = await readRegularTextFile(path, { code: "transport/failed", maxBytes: 4e6 });
  } catch {
    return;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(\w+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toLowerCase();
    const args = splitArgs(match[2]);
    if (keyword === "host") {
      for (const host of args) if (!isPattern(host)) hosts.add(host);
    } else if (keyword === "include") {
      for (const arg of args) {
        for (const file of await expandInclude(arg, homeDir))
          await readConfig(file, homeDir, hosts, visited, depth + 1);
      }
    }
  }
}

/** The files an `Include` argument names: `~` expanded, relative to ~/.ssh, `*` and `?` in the file name matched. */
async function expandInclude(arg: string, homeDir: string): Promise<string[]> {
  let path = arg.startsWith("~/") || arg === "~" ? join(homeDir, arg.slice(2)) : arg;
  if (!isAbsolute(path)) path = join(homeDir, ".ssh", path);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const folder = dirname(path);
  const pattern = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  try {
    const names = await fs.readdir(folder);
    return names
      .filter((n) => pattern.test(n))
      .sort()
      .map((n) => join(folder, n));
  } catch {
    return [];
  }
}
