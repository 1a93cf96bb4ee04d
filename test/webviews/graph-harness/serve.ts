// Serves the graph viewer's harness with its fixtures for a look in a browser: prints the pages' URLs and runs until
// interrupted. `npm run build` first.
import { startHarness } from "./harness";
import { transformerGraph } from "../../fixtures/graphs/transformer-graph";
import { brokenGraph, documentOf, overlaysFor, smallModel } from "./fixtures";

const harness = await startHarness();
const small = smallModel();
const overlays = overlaysFor(small);
for (const [name, url] of [
  [
    "small",
    harness.add("small", {
      initial: {
        document: documentOf(small),
        runs: [
          {
            runDir: overlays.runDir,
            runId: overlays.runId,
            role: "produced",
            overlays: ["latency", "partitions", "quantError"],
          },
        ],
      },
      overlays: { [overlays.runDir]: overlays },
    }),
  ],
  ["broken", harness.add("broken", { initial: { document: documentOf(brokenGraph()), runs: [] } })],
  [
    "large",
    harness.add("large", {
      initial: { document: documentOf(transformerGraph({ nodes: 10_000, shape: "mask" })), runs: [] },
    }),
  ],
])
  console.log(`${name}: ${url}`);
