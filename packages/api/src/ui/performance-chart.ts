import type { ReadyPerformance } from "@retainwise/core/outcomes";
import { el, svg, text } from "./svg.ts";

/**
 * A prediction's realized performance as SVG: calibration (mean predicted probability against the
 * churn rate seen, per decile; the diagonal is perfect) beside precision in the top 10% and 20%
 * against the base rate (the lift a retention team gets from calling the flagged customers first).
 */
export function renderPerformanceChart(
  performance: Pick<ReadyPerformance, "calibration" | "top" | "baseRate">,
): string {
  const [size, gap, top, bottom, left] = [220, 70, 12, 40, 40];
  const width = left + size + gap + 200;
  const height = top + size + bottom;
  const px = (share: number) => left + share * size;
  const py = (share: number) => top + (1 - share) * size;
  const parts: string[] = [];
  for (const tick of [0, 0.5, 1]) {
    parts.push(
      el("line", { x1: px(0), x2: px(1), y1: py(tick), y2: py(tick), class: "grid" }),
      text(left - 6, py(tick) + 4, `${tick * 100}%`, "end"),
      text(px(tick), height - bottom + 16, `${tick * 100}%`, "middle"),
    );
  }
  parts.push(el("line", { x1: px(0), y1: py(0), x2: px(1), y2: py(1), stroke: "#9aa5b1", "stroke-dasharray": "4 4" }));
  for (const group of performance.calibration) {
    parts.push(
      el(
        "circle",
        { cx: px(group.meanPredicted), cy: py(group.observedRate), r: 4, fill: "#2563eb", "data-decile": "" },
        el(
          "title",
          {},
          `${group.count} customers: predicted ${pct(group.meanPredicted)}, churned ${pct(group.observedRate)}`,
        ),
      ),
    );
  }
  parts.push(text(px(0.5), height - 4, "Predicted (per decile) vs churned", "middle", "axis-title"));
  const barsLeft = left + size + gap;
  const bars = [
    ...performance.top.map((t) => ({
      label: `Top ${Math.round(t.share * 100)}%`,
      value: t.precision,
      note: `${pct(t.precision)} (lift ${t.lift.toFixed(2)}×)`,
    })),
    { label: "Everyone", value: performance.baseRate, note: pct(performance.baseRate) },
  ];
  bars.forEach((bar, i) => {
    const y = top + 20 + i * 64;
    parts.push(
      text(barsLeft, y, bar.label, "start", "risk-label"),
      el("rect", {
        x: barsLeft,
        y: y + 8,
        width: Math.max(2, bar.value * 120),
        height: 20,
        rx: 3,
        fill: i < performance.top.length ? "#c2242b" : "#9aa5b1",
        "data-precision": bar.value,
      }),
      text(barsLeft + bar.value * 120 + 6, y + 23, bar.note, "start", "risk-count"),
    );
  });
  parts.push(text(barsLeft, height - 4, "Churned among those flagged", "start", "axis-title"));
  return svg(
    width,
    height,
    "Realized performance",
    `Calibration over ${performance.calibration.length} deciles; precision in the top ${performance.top.map((t) => `${Math.round(t.share * 100)}%`).join(" and ")}.`,
    parts,
  );
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
