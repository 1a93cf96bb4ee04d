// The summary of a selected time range: its length, slices and kernels, kernel time, runs touched, and the op types
// that took most of it.
import { formatCount, formatPercent, formatUs } from "../../../common/units";
import { el, keyValueTable } from "../../graph/panels/dom";
import type { RangeSummary } from "../model/trace-views";

export function rangeView(r: RangeSummary): HTMLElement {
  return el(
    "div",
    { class: "range-summary", attrs: { "data-kernels": String(r.kernels) } },
    keyValueTable([
      ["range", formatUs(r.endUs - r.startUs)],
      ["slices", formatCount(r.slices)],
      ["kernels", formatCount(r.kernels)],
      ["kernel time", formatUs(r.kernelUs)],
      ["runs", formatCount(r.runs)],
    ]),
    r.ops.length > 0 &&
      el(
        "table",
        { class: "range-ops" },
        el(
          "tbody",
          {},
          ...r.ops.map((o) =>
            el(
              "tr",
              {},
              el("td", { text: o.opType }),
              el("td", { class: "num", text: formatUs(o.us) }),
              el("td", { class: "num", text: r.kernelUs > 0 ? formatPercent(o.us / r.kernelUs) : "" }),
            ),
          ),
        ),
      ),
  );
}
