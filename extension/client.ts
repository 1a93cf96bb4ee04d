// Builds the vscode-languageclient client for `edge-recipe` documents: the recipe language server from
// dist/language-server/server.js over node IPC, run by the extension host's own Node. Only construction lives here;
// starting, stopping and status belong to ctx.ts.
import * as path from "node:path";
import type * as vscode from "vscode";
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { LANGUAGE_ID } from "../common/recipe-language";
import type { InitializationOptions } from "../language-server/protocol";
import { readConfig } from "./config";
import { hoverLinkMiddleware } from "./graph/hover-link";

export const CLIENT_ID = "edge.server";
export const CLIENT_NAME = "Edge recipe language server";

/** The server bundle inside the extension (built by scripts/build.mjs next to the extension's bundle). */
export function serverModulePath(extensionPath: string): string {
  return path.join(extensionPath, "dist", "language-server", "server.js");
}

export function createClient(extensionPath: string, outputChannel: vscode.LogOutputChannel): LanguageClient {
  const module = serverModulePath(extensionPath);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  // Read at each (re)start: `edge.adb.path` completes attached adb serials; ctx.ts restarts the server when it changes.
  const initializationOptions = (): InitializationOptions => ({ adbPath: readConfig().adbPath });
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE_ID, scheme: "file" },
      { language: LANGUAGE_ID, scheme: "untitled" },
      { language: LANGUAGE_ID, scheme: "vscode-remote" },
    ],
    initializationOptions,
    outputChannel,
    middleware: hoverLinkMiddleware,
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}
