// Shared by the extension-host suite's modules: the workspace's files, opening them, waiting for an event, the API.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { EdgeStudioApi } from "../../../extension/main";

export const EXTENSION_ID = "edge-studio.edge-studio";
export const ACTIVATION_GOAL_MS = 50;

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the suite needs a workspace folder");
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function open(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  return vscode.window.showTextDocument(document);
}

/** Resolves with the first value `read` returns that is not undefined, re-reading whenever `event` fires. */
export function waitFor<T>(
  event: vscode.Event<unknown>,
  read: () => T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const first = read();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const listener = event(() => {
      const value = read();
      if (value === undefined) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(value);
    });
  });
}

/** The extension's API (activating it if needed). */
export async function edgeApi(): Promise<EdgeStudioApi> {
  const extension = vscode.extensions.getExtension<EdgeStudioApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}
