// Where the checks of meaning put their problems: each names the data path it is about and whether the
// problem belongs on the key (`devices.pixel8`) or on the value (`run.device: pixel9`).
import type { Problem, ProblemCode, Severity } from "./problem";
import type { DataPath, RecipeSource } from "./recipe-source";

export interface ProblemOptions {
  /** Place the problem on the key instead of the value (default: the value). */
  on?: "key" | "value";
  hint?: string;
}

export class ProblemSink {
  readonly problems: Problem[] = [];

  constructor(
    private readonly source: RecipeSource,
    private readonly file: string,
  ) {}

  error(code: ProblemCode, path: DataPath, message: string, options?: ProblemOptions): void {
    this.add("error", code, path, message, options);
  }

  warning(code: ProblemCode, path: DataPath, message: string, options?: ProblemOptions): void {
    this.add("warning", code, path, message, options);
  }

  information(code: ProblemCode, path: DataPath, message: string, options?: ProblemOptions): void {
    this.add("information", code, path, message, options);
  }

  private add(
    severity: Severity,
    code: ProblemCode,
    path: DataPath,
    message: string,
    options: ProblemOptions = {},
  ): void {
    const range = options.on === "key" ? this.source.keyRange(path) : this.source.valueRange(path);
    this.problems.push({
      severity,
      code,
      message,
      file: this.file,
      range,
      ...(options.hint ? { hint: options.hint } : {}),
    });
  }
}
