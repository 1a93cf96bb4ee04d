// A fake engine for the graph worker's tests: tiny documents named after their files, a log of what was opened,
// asked and closed, and a diff that says which graphs it compared.
import type { GraphDiff } from "../../common/graph/diff-types";
import { MODEL_GRAPH_VERSION, type ModelGraphDocument } from "../../common/graph/model-graph";
import type { GraphEngine } from "../../extension/graph/graph-worker-core";

export function fakeDocument(file: string): ModelGraphDocument {
  return {
    version: MODEL_GRAPH_VERSION,
    path: file,
    sizeBytes: 1,
    irVersion: 8,
    opsets: { "": 17 },
    graph: { name: file, nodes: [], tensors: [], inputs: [], outputs: [], problems: [] },
    totalNodes: 0,
  };
}

export function fakeEngine(log: string[]): GraphEngine {
  return {
    openModelGraph: async (file) => {
      log.push(`open ${file}`);
      return {
        document: fakeDocument(file),
        nodeDetails: async (path, node) => {
          log.push(`details ${file} ${node}`);
          return { node, path } as never;
        },
        close: async () => void log.push(`close ${file}`),
      };
    },
    readRunOverlays: async (runDir) => ({ runDir, runId: runDir.split("/").pop()!, notes: [] }),
    diffModelGraphs: (before, after): GraphDiff => ({
      matched: 0,
      unchanged: 0,
      changes: [{ kind: "changed", details: [`${before.name} → ${after.name}`] }],
      afterOf: [],
      beforeOf: [],
    }),
  };
}
