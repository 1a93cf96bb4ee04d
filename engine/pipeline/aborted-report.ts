// The report of a run that was stopped before its runner returned a result: stopped during quantize or compile, or
// stopped at once (a second Ctrl-C) in any step. Status "aborted", no errors, and what is known: the optimization
// steps that finished, the iterations measured so far (from the run's events), the artifacts written. A process on
// its way out writes it with report/write-report.ts's writeReportSync.
import { EdgeError } from "../errors";
import { buildFailedReport, type ReportContext } from "../report/build-report";
import type { RunReport } from "../report/report-types";
import { planDefaults, type RunPlan } from "../run/plan";
import { latencyStats } from "../run/stats";

export interface AbortedReportContext extends ReportContext {
  device: { name: string; kind: "local" | "ssh" | "adb" };
  startedAt: Date;
}

/** What was measured before the stop, if the run had started iterating. */
export interface MeasuredSoFar {
  plan: RunPlan;
  warmupMs: number[];
  latenciesMs: number[];
}

export function abortedReport(context: AbortedReportContext, measured?: MeasuredSoFar): RunReport {
  const base = buildFailedReport(new EdgeError("run/failed", "stopped"), context);
  const report: RunReport = {
    ...base,
    status: "aborted",
    errors: [],
    budgets: base.budgets.map((b) => ({ ...b, reason: "the run was stopped" })),
  };
  if (!measured) return report;
  const { plan, warmupMs, latenciesMs } = measured;
  return {
    ...report,
    run: {
      warmupRequested: plan.warmup ?? planDefaults.warmup,
      warmupDone: warmupMs.length,
      iterationsRequested: plan.iterations ?? planDefaults.iterations,
      iterationsDone: latenciesMs.length,
      seed: plan.seed ?? planDefaults.seed,
      datasetSamples: plan.samples?.length ?? 0,
    },
    latency: latencyStats(latenciesMs),
    latenciesMs: [...latenciesMs],
    warmupLatenciesMs: [...warmupMs],
    profile: { enabled: plan.profile === true },
  };
}
