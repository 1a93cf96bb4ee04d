// Quoting for the far end's POSIX shell (OpenSSH runs the remote command through the login shell; `adb shell`
// through the device's sh). Every argument of a remote command passes through here, so a recipe value (a path, a
// host, a name) is always one literal word, whatever it contains.
import { EdgeError } from "../errors";

const plain = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as a single-quoted shell word (`it's` → `'it'\''s'`); plain words stay as they are. */
export function shellQuote(arg: string): string {
  if (arg.includes("\0")) {
    throw new EdgeError("transport/failed", `an argument for the device contains a NUL byte: ${JSON.stringify(arg)}`);
  }
  if (arg !== "" && plain.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A whole command line: each argument quoted, joined by spaces. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new EdgeError("internal/bug", "an empty command for the device");
  return argv.map(shellQuote).join(" ");
}

/**
 * A path as a shell word that keeps a leading `~/` meaning the user's home (`"$HOME"/'rest'`), since a quoted `~`
 * is not expanded. Other paths are quoted as they are.
 */
export function shellPath(path: string): string {
  if (path === "~") return `"$HOME"`;
  if (path.startsWith("~/")) return `"$HOME"/${shellQuote(path.slice(2))}`;
  return shellQuote(path);
}

/** `VAR=value` words for `env` (names checked: a name that is not an identifier is refused, not quoted). */
export function envAssignments(env: Record<string, string> | undefined): string[] {
  const words: string[] = [];
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new EdgeError("transport/failed", `not an environment variable name: ${JSON.stringify(name)}`, {
        hint: "names are letters, digits and _, not starting with a digit",
      });
    }
    words.push(`${name}=${value}`);
  }
  return words;
}
