// Exporting a model with the user's own exporter (`model.export`): `ensureExported` for `edge run` and `edge export`.
export {
  ensureExported,
  EXPORT_STAMP_FILE,
  type ExportOptions,
  type ExportOutcome,
  type ExportStamp,
} from "./export-model";
export { exportInvocation, exportKey, type ExportInvocation } from "./export-spec";
export { findProgram } from "../fs/find-program";
