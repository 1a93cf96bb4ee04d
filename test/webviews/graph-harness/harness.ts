// The graph viewer's standalone harness: an HTTP server that serves the built bundle (dist/webviews/) and, per
// scenario, the host's own page (extension/graph/graph-html.ts, with its CSP also sent as a header) with the fake host
// (fake-host.ts) put in before the app. Used by test/webviews/graph.test.ts and bench/graph-browser.bench.ts; run it
// on its own to look at the viewer in a browser: `node --import tsx test/webviews/graph-harness/serve.ts`.
import { graphCsp, graphHtml } from "../../../extension/graph/graph-html";
import { startPageServer } from "../harness-server";
import { fakeHostScript, type Scenario } from "./fake-host";

export { distWebviews, repoRoot, themeCss } from "../harness-server";

export interface Harness {
  origin: string;
  /** Serves `scenario` at `/<name>`; returns the URL. */
  add(name: string, scenario: Scenario): string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = await startPageServer({ name: "graph", title: "Graph", html: graphHtml, csp: graphCsp });
  return {
    origin: server.origin,
    add: (name, scenario) => server.addPage(name, (nonce) => fakeHostScript(scenario, nonce, `edge-graph-${name}`)),
    close: () => server.close(),
  };
}

export { chromiumArgs, chromiumPath } from "../../fixtures/chromium";
