// The path into nested If/Loop/Scan bodies: "main graph › If_0 then_branch › …", each step a link back.
import { nodeLabel, type GraphPath, type ModelGraph } from "../../../common/graph/model-graph";
import { el } from "../../ui/dom";

export function breadcrumb(root: ModelGraph, path: GraphPath, go: (path: GraphPath) => void): HTMLElement {
  const nav = el("nav", { class: "breadcrumb", attrs: { "aria-label": "Graph path" } });
  const crumb = (text: string, to: GraphPath, current: boolean) => {
    const b = el("button", {
      class: current ? "crumb current" : "crumb",
      attrs: { type: "button", "data-depth": String(to.length) },
      text,
    });
    if (current) b.setAttribute("aria-current", "page");
    else b.addEventListener("click", () => go(to));
    return b;
  };
  nav.append(crumb(root.name || "main graph", [], path.length === 0));
  let graph: ModelGraph | undefined = root;
  path.forEach((step, i) => {
    if (!graph) return;
    nav.append(el("span", { class: "sep", text: "›" }));
    const label = `${nodeLabel(graph, step.node)} · ${step.attribute}`;
    nav.append(crumb(label, path.slice(0, i + 1), i === path.length - 1));
    graph = graph.nodes[step.node]?.subgraphs?.find((s) => s.attribute === step.attribute)?.graph;
  });
  return nav;
}
