// The recipe language server's own LSP messages, beyond the standard protocol: one typed entry per message, with
// the direction it travels in its name and comment. Plain method names and parameter types, no imports, so the
// server (vscode-languageserver) and any client (vscode-languageclient, Neovim, tests) can share this file.

/** What the server is doing, for a client's status item. */
export type ServerState = "starting" | "ready" | "busy" | "error";

export interface StatusParams {
  state: ServerState;
  /** One short line for people ("Reading model tiny-lm.onnx…", "edge-recipe language server ready"). */
  message: string;
  /** More text for a tooltip or the log (an error's stack, the file being read). */
  detail?: string;
}

/**
 * server → client, notification: the server's state changed. The server never pops up messages
 * (no window/showMessage): a client shows this in a status item, and the details are in the server's log.
 */
export const DidChangeStatusNotification = {
  method: "edge/status",
} as const;

export interface RevalidateParams {
  /** Documents to check again; every open recipe when absent. */
  uris?: string[];
}

/**
 * client → server, notification: something the server cannot watch changed (a run just wrote quant-error.json,
 * a device was plugged in): check these open recipes again and publish their diagnostics.
 */
export const RevalidateNotification = {
  method: "edge/revalidate",
} as const;

/** The options a client may pass in `initialize` (initializationOptions). All optional. */
export interface InitializationOptions {
  /** Wait this long after the last edit before checking a recipe (default 5 ms; 0 checks at the next tick). */
  diagnosticsDelayMs?: number;
  /** The adb executable whose `adb devices -l` completes `adb.serial` (default "adb" on PATH). */
  adbPath?: string;
  /**
   * Recipes larger than this many bytes (default 1,000,000) are not checked in the editor: they get one warning
   * saying to run `edge validate`, and completion and hover keep working on them.
   */
  maxCheckedRecipeBytes?: number;
}
