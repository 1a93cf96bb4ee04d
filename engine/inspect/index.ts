// The inspect module's public surface for code outside the engine (the language server's model hovers): parameter
// statistics. Inside the engine, modules import the files behind it directly. Bytes are formatted by common/units.ts.
export { parameterStats, type ParameterStats } from "./graph-stats";
