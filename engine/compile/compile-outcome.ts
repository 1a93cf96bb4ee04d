// What a compile step produced, as the pipeline records it and the report shows it: the compile result, and for a
// provider other than the CPU the summary of the support analysis (written in full as partitions.json).
// It lives here, below the report and the pipeline, so the report can name it without importing the pipeline.
import type { CompileSupportSummary } from "../../common/optimization";
import type { CompileResult } from "./compile-model";

export interface CompileOutcome extends CompileResult {
  /** The support analysis summary for the provider (absent for the CPU, which runs everything). */
  support?: CompileSupportSummary;
}
