// The graph's problems (cycles, dangling inputs, duplicate names) as a list: the graph still renders, the nodes are
// marked on the canvas, and clicking a problem reveals its node.
import { nodeLabel, type GraphProblem, type ModelGraph } from "../../../common/graph/model-graph";
import { el } from "../../ui/dom";

export function problemsPanel(
  graph: ModelGraph,
  problems: readonly GraphProblem[],
  reveal: (node: number) => void,
): HTMLElement {
  return el(
    "ul",
    { class: "problems", attrs: { id: "problems", "data-count": String(problems.length) } },
    ...problems.map((p) => {
      const li = el(
        "li",
        {
          class: `problem problem-${p.kind}`,
          attrs: { "data-kind": p.kind, tabindex: p.node !== undefined ? "0" : "-1" },
        },
        el("span", { class: "problem-kind", text: p.kind }),
        p.node !== undefined &&
          graph.nodes[p.node] &&
          el("span", { class: "problem-node", text: ` ${nodeLabel(graph, p.node)}` }),
        el("span", { class: "note", text: ` ${p.message}` }),
      );
      if (p.node !== undefined) {
        const node = p.node;
        li.addEventListener("click", () => reveal(node));
        li.addEventListener("keydown", (e) => e.key === "Enter" && reveal(node));
      }
      return li;
    }),
  );
}
