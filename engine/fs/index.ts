// The fs module's public surface for code outside the engine: reading only regular files, never blocking on a pipe
// and never holding more than a limit. The language server reads workspace files (models, quant-error.json) with it.
export {
  fileKind,
  openRegularFile,
  readRegularTextFile,
  statRegularFile,
  type RegularFileOptions,
} from "./regular-file";
