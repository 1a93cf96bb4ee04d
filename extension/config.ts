// Typed access to the `edge.*` settings (package.json `contributes.configuration`). The one place that reads them:
// everything else asks this module, so a setting's name and default live in two places only (here and package.json).
import * as vscode from "vscode";

export type ServerTrace = "off" | "messages" | "verbose";

const SECTION = "edge";
const TRACE_LEVELS: readonly ServerTrace[] = ["off", "messages", "verbose"];

export interface EdgeConfig {
  /** `edge.server.trace`: how much of the LSP traffic the language server's output channel shows. */
  serverTrace: ServerTrace;
  /** `edge.node.path`: the Node that runs the engine; undefined means the extension host's own (when it is ≥ 20). */
  nodePath: string | undefined;
  /** `edge.adb.path`: the adb executable (default `adb` on PATH). */
  adbPath: string;
  /** `edge.ssh.path`: the ssh executable (default `ssh` on PATH). */
  sshPath: string;
  /** `edge.perfTest.path`: the user's onnxruntime_perf_test for `runner: perf-test` devices; undefined when unset. */
  perfTestPath: string | undefined;
  /** `edge.defaultDevice`: the device a recipe runs on when none was picked for it and the recipe defines this one. */
  defaultDevice: string | undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Reads the current settings (cheap; call again after `onDidChangeConfiguration` says `edge` changed). */
export function readConfig(scope?: vscode.ConfigurationScope): EdgeConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const trace = c.get<string>("server.trace", "off");
  return {
    serverTrace: (TRACE_LEVELS as readonly string[]).includes(trace) ? (trace as ServerTrace) : "off",
    nodePath: nonEmpty(c.get("node.path")),
    adbPath: nonEmpty(c.get("adb.path")) ?? "adb",
    sshPath: nonEmpty(c.get("ssh.path")) ?? "ssh",
    perfTestPath: nonEmpty(c.get("perfTest.path")),
    defaultDevice: nonEmpty(c.get("defaultDevice")),
  };
}

/** True when a configuration change touches `edge.<key>` (or any `edge.*` when key is absent). */
export function affects(event: vscode.ConfigurationChangeEvent, key?: string): boolean {
  return event.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
}
