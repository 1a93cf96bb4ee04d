// The run report's types as the engine uses them: report.json's format is declared in common/report.ts (the
// extension and the report view read the same types); this module re-exports it for engine code.
export { REPORT_JSON_FILE, REPORT_MD_FILE, REPORT_SCHEMA_VERSION } from "../../common/report";
export type { BudgetVerdict, ReportArtifact, RunErrorInfo, RunReport, RunStatus } from "../../common/report";
