// Serves the graph viewer's harness with its fixtures for a look in a browser: prints the pages' URLs and runs until
// interrupted. `npm run build` first.
import { startHarness } from "./harness";
import { brokenGraph, documentOf, overlaysFor, smallModel, transformerGraph } from "./fixtures";

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
  ["large", harness.add("large", { initial: { document: documentOf(transformerGraph(10_000)), runs: [] } })],
])
  console.log(`${name}: ${url}`);
