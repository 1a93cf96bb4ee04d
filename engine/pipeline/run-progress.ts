// What a recipe's run has done so far, kept up to date from its own events: the steps ended and the one in
// progress, the warm-up and measured iterations' latencies, the artifacts written. A run stopped at once (a second
// Ctrl-C) makes its partial report from this, without waiting for the step in progress.
import type { EventInput, EventSink, StepName } from "../events";
import type { ReportArtifact } from "../report/report-types";

export class RunProgress {
  /** Steps that ended, in order, with whether they succeeded. */
  readonly stepsEnded: { step: StepName; ok: boolean }[] = [];
  /** Steps started and not yet ended (innermost last). */
  readonly inProgress: StepName[] = [];
  readonly warmupMs: number[] = [];
  readonly latenciesMs: number[] = [];
  readonly artifacts: ReportArtifact[] = [];

  observe(event: EventInput): void {
    switch (event.type) {
      case "step/start":
        this.inProgress.push(event.step);
        break;
      case "step/end": {
        const at = this.inProgress.lastIndexOf(event.step);
        if (at >= 0) this.inProgress.splice(at, 1);
        this.stepsEnded.push({ step: event.step, ok: event.ok });
        break;
      }
      case "iteration":
        (event.warmup ? this.warmupMs : this.latenciesMs).push(event.latencyMs);
        break;
      case "artifact":
        if (
          event.kind !== "report.json" &&
          event.kind !== "report.md" &&
          !this.artifacts.some((a) => a.path === event.path)
        ) {
          this.artifacts.push({ kind: event.kind, path: event.path });
        }
        break;
      default:
        break;
    }
  }

  /** The step in progress, if any ("compile", "run", …). */
  get currentStep(): StepName | undefined {
    return this.inProgress.at(-1);
  }
}

/** A sink that records every event into `progress`, then hands it on to `inner` unless `muted()` says otherwise. */
export function recordingSink(inner: EventSink, progress: RunProgress, muted: () => boolean = () => false): EventSink {
  return {
    emit(event) {
      if (muted()) return;
      progress.observe(event);
      inner.emit(event);
    },
  };
}
