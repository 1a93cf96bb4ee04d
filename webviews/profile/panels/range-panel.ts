// The summary of a selected time range (common/trace/trace-window.ts's rangeSummary): its length, slices and
// kernels, kernel time, and what took the time in it (kernels by op type, other slices by name).
import { formatCount, formatPercent, formatUs } from "../../../common/units";
import { el, keyValueTable } from "../../ui/dom";
import type { RangeSummary } from "../model/trace-views";

export function rangeView(r: RangeSummary): HTMLElement {
  const kernels = r.rows.reduce((n, row) => n + (row.kernel ? row.count : 0), 0);
  const span = r.endUs - r.startUs;
  return el(
    "div",
    { class: "range-summary", attrs: { "data-kernels": String(kernels) } },
    keyValueTable([
      ["range", formatUs(span)],
      ["slices", formatCount(r.sliceCount)],
      ["kernels", formatCount(kernels)],
      ["kernel time", formatUs(r.kernelUs)],
    ]),
    r.rows.length > 0 &&
      el(
        "table",
        { class: "range-ops" },
        el(
          "tbody",
          {},
          ...r.rows
            .slice(0, 10)
            .map((o) =>
              el(
                "tr",
                { class: o.kernel ? "kernel" : "" },
                el("td", { text: o.label }),
                el("td", { class: "num", text: `×${formatCount(o.count)}` }),
                el("td", { class: "num", text: formatUs(o.totalUs) }),
                el("td", { class: "num", text: span > 0 ? formatPercent(o.totalUs / span) : "" }),
              ),
            ),
        ),
      ),
  );
}
