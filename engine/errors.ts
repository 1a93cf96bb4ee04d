// The one error type of the engine: a code (`area/reason`), a message a user understands, a hint, and where.
// The CLI maps codes to exit codes; the extension shows one notification; the language server makes diagnostics.

import type { ErrorCode, Where } from "../common/error-codes";

export type { ErrorCode, Where } from "../common/error-codes";

/** The options form of EdgeError's constructor: `new EdgeError(code, message, { where, hint, cause })`. */
export interface EdgeErrorOptions {
  where?: Where;
  hint?: string;
  cause?: unknown;
}

export class EdgeError extends Error {
  override readonly name = "EdgeError";
  readonly where: Where;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, options?: EdgeErrorOptions);
  constructor(code: ErrorCode, message: string, where?: Where, hint?: string, options?: { cause?: unknown });
  constructor(
    readonly code: ErrorCode,
    message: string,
    whereOrOptions: Where | EdgeErrorOptions = {},
    hint?: string,
    options?: { cause?: unknown },
  ) {
    const named = hint === undefined && options === undefined && isOptionsForm(whereOrOptions);
    super(message, named ? ("cause" in whereOrOptions ? { cause: whereOrOptions.cause } : undefined) : options);
    this.where = named ? (whereOrOptions.where ?? {}) : (whereOrOptions as Where);
    this.hint = named ? whereOrOptions.hint : hint;
  }

  /** `file:line:col: message` (or `file@offset`), then the hint on its own line. */
  format(): string {
    const w = this.where;
    let prefix = "";
    if (w.file) {
      prefix = w.file;
      if (w.line !== undefined) prefix += `:${w.line}${w.column !== undefined ? `:${w.column}` : ""}`;
      else if (w.offset !== undefined) prefix += ` (byte ${w.offset})`;
      prefix += ": ";
    }
    const extra = [w.node ? `node ${w.node}` : "", w.device ? `device ${w.device}` : ""].filter(Boolean).join(", ");
    return `${prefix}${this.message}${extra ? ` [${extra}]` : ""}${this.hint ? `\n  hint: ${this.hint}` : ""}`;
  }

  toJSON(): { code: ErrorCode; message: string; where: Where; hint?: string } {
    return { code: this.code, message: this.message, where: this.where, hint: this.hint };
  }
}

/** The options form names `where`, `hint` or `cause`, which a Where never has. */
function isOptionsForm(value: Where | EdgeErrorOptions): value is EdgeErrorOptions {
  return "where" in value || "hint" in value || "cause" in value;
}

export function isEdgeError(e: unknown): e is EdgeError {
  return e instanceof EdgeError;
}

/** Exit codes of the `edge` CLI, documented in README.md. */
export const exitCodes = {
  ok: 0,
  /** A budget failed, or `edge validate` found an error. */
  failed: 1,
  usage: 2,
  recipe: 3,
  model: 4,
  run: 5,
  io: 6,
  internal: 70,
  /** The run was stopped (Ctrl-C, SIGTERM, an aborted signal or `run.timeout_s`): 128 + SIGINT, as shells report it. */
  aborted: 130,
} as const;

export function exitCodeFor(e: unknown): number {
  if (!isEdgeError(e)) return exitCodes.internal;
  if (e.code === "run/aborted") return exitCodes.aborted;
  const area = e.code.split("/")[0];
  switch (area) {
    case "cli":
      return exitCodes.usage;
    case "recipe":
      return exitCodes.recipe;
    case "model":
      return exitCodes.model;
    case "run":
    case "device":
    case "transport":
    case "data":
      return exitCodes.run;
    case "budget":
      return exitCodes.failed;
    case "io":
      return exitCodes.io;
    default:
      return exitCodes.internal;
  }
}
