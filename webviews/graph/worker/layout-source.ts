// The one place the layout worker gets its layout from. INTERIM: the stand-in beside it, until common/graph/layout
// (its own helper's) lands on main; then this file re-exports `layoutModelGraph` and `createLayoutCache` from there.
export { createLayoutCache, layoutModelGraph } from "./interim-layout";
