// bench:runner's stand-in for `edge run` while the CLI command is not built: runLocal in its own process, with
// the plan given as JSON; writes report.json into the plan's outDir like the CLI does.
// Usage: node --import tsx bench/runner-child.ts '<json RunPlan>'
import { runLocal } from "../engine/run/run-local";
import type { RunPlan } from "../engine/run/plan";
import { buildRunReport } from "../engine/report/build-report";
import { writeReport } from "../engine/report/write-report";

const plan = JSON.parse(process.argv[2]) as RunPlan;
const result = await runLocal(plan);
await writeReport(
  plan.outDir,
  buildRunReport(result, { runId: "bench", outDir: plan.outDir, recipe: { name: "bench" } }),
);
