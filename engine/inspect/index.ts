// The inspect module's public surface for code outside the engine (the language server's model hovers): parameter
// statistics and byte formatting. Inside the engine, modules import the files behind it directly.
export { formatBytes } from "./format-report";
export { parameterStats, type ParameterStats } from "./graph-stats";
