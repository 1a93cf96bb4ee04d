// `edge lsp [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]`: runs the recipe language server for any editor.
// The language server is built on the engine, never the other way round (scripts/check-deps.ts), yet the one `edge`
// executable also starts it. So this command is a launcher: it loads the server's own bundle at run time, from beside
// the CLI bundle (dist/engine/cli.js → dist/language-server/server.js), and hands it the argv. That is a dependency
// on a built artifact, not on language-server/ sources: the engine compiles and bundles without them (it declares
// the one function it calls, `startServer`), and the computed import below names it for the dependency check.
// From then on the server owns the process: it speaks LSP on the transport and exits on the protocol's `exit`.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EdgeError, exitCodes } from "../errors";
import type { CliIO } from "./io";

export const LSP_USAGE = "edge lsp [--stdio | --node-ipc | --socket=PORT | --pipe=NAME] (stdio by default)";

interface ServerModule {
  startServer(argv: readonly string[]): unknown;
}

/** The language server bundle: next to the CLI bundle in dist/, or in dist/ when the CLI runs from source (tsx). */
export function languageServerBundlePath(moduleUrl: string = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith(".ts")) return resolve(dirname(here), "..", "..", "dist", "language-server", "server.js");
  return join(dirname(here), "..", "language-server", "server.js");
}

export async function lspCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`usage: ${LSP_USAGE}\n`);
    return exitCodes.ok;
  }
  const bundle = languageServerBundlePath();
  if (!existsSync(bundle)) {
    throw new EdgeError(
      "internal/bug",
      `the language server is not built (${bundle} is missing)`,
      {},
      "run `npm run build`",
    );
  }
  // A computed specifier, so esbuild leaves the server out of the CLI bundle and tsc does not compile it in.
  // check-deps: computed import of language-server (the built bundle dist/language-server/server.js, at run time)
  const server = (await import(pathToFileURL(bundle).href)) as Partial<ServerModule>;
  if (typeof server.startServer !== "function") {
    throw new EdgeError("internal/bug", `${bundle} does not export startServer`, {}, "rebuild with `npm run build`");
  }
  try {
    server.startServer(argv);
  } catch (error) {
    // Only a bad transport flag throws before the server runs.
    throw new EdgeError("cli/usage", `${error instanceof Error ? error.message : String(error)}`, {}, LSP_USAGE);
  }
  // The server exits the process itself (on `exit`, or when its input closes); until then the command never ends.
  return new Promise<number>(() => undefined);
}
