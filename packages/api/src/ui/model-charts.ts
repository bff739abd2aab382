import { isTermTablesCard, termInputs, type ModelCard, type TermTablesCard } from "@retainwise/core/model/card";
import { count, el, escapeXml, svg, text } from "./svg.ts";

/**
 * A model's two pictures, rendered on the server as SVG like the risk chart: the held-out
 * calibration plot (predicted probability against the churn rate actually seen) and "what drives
 * churn" (each term of a `term-tables/1` model, pair terms included, ranked by importance).
 */
export type ModelChartKind = "calibration" | "importance";

export interface CalibrationBin {
  binStart: number;
  binEnd: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * What the charts read of a model: its card, and metrics as the API stores them (held-out
 * calibration and, optionally, per-term importance), read loosely: a bin that is not one is skipped.
 */
export interface ModelChartSource {
  card: ModelCard | null;
  metrics?: { heldOut?: { calibration?: unknown[] } | null; importance?: unknown } | null;
}

export interface TermImportance {
  label: string;
  kind: "main" | "pair" | "path";
  /** Log-odds between the term's lowest and highest cell, unless the trainer measured it. */
  importance: number;
}

/** Bars drawn in the importance chart; a line under them counts the rest. */
export const IMPORTANCE_BARS = 12;

const PAIR_SEPARATOR = " × ";

export function renderModelChart(kind: ModelChartKind, model: ModelChartSource): string {
  if (kind === "calibration")
    return calibrationPlot(
      (model.metrics?.heldOut?.calibration ?? model.card?.metrics?.heldOut.calibration ?? []).filter(isCalibrationBin),
    );
  return importanceChart(
    isTermTablesCard(model.card ?? undefined)
      ? termImportance(model.card as TermTablesCard, model.metrics?.importance)
      : [],
  );
}

/**
 * Terms ranked by importance, largest first. The trainer may measure it (`measured`: one number
 * per card term, e.g. the mean |contribution| over training rows); otherwise it is read from the
 * card alone as the term's swing, max − min of its table: how far it can move a customer's
 * log-odds. The card holds no bin frequencies, so a weighted mean cannot be computed here.
 */
export function termImportance(card: TermTablesCard, measured?: unknown): TermImportance[] {
  const given =
    Array.isArray(measured) &&
    measured.length === card.terms.length &&
    measured.every((n) => typeof n === "number" && Number.isFinite(n))
      ? (measured as number[])
      : null;
  const inputs = termInputs(card);
  return card.terms
    .map((term, t) => ({
      kind: term.kind,
      label:
        term.inputs.map((i) => inputs[i]?.label ?? `input ${i}`).join(PAIR_SEPARATOR) +
        (term.kind === "path" ? " with other columns" : ""),
      // A path term has no table: the card alone cannot say how far it moves the odds.
      importance: given ? given[t]! : term.kind === "path" ? 0 : Math.max(...term.table) - Math.min(...term.table),
    }))
    .sort((a, b) => b.importance - a.importance);
}

function importanceChart(terms: TermImportance[]): string {
  const title = "What drives churn";
  if (terms.length === 0) return emptyChart(title, "This model's card does not describe its terms.");
  const shown = terms.slice(0, IMPORTANCE_BARS);
  const [width, rowH, top, valueW] = [420, 46, 30, 64];
  const rest = terms.length - shown.length;
  const restNote = rest > 0 ? `${rest} smaller ${rest === 1 ? "term" : "terms"} not drawn` : "";
  const max = Math.max(...shown.map((t) => t.importance), 1e-9);
  const parts = [
    legendSwatch(0, "term-main", "One column"),
    legendSwatch(120, "term-pair", "Two columns together"),
    ...(terms.some((t) => t.kind === "path") ? [legendSwatch(290, "term-path", "With other columns")] : []),
  ];
  shown.forEach((term, i) => {
    const y = top + i * rowH;
    const w = Math.max(((width - valueW) * term.importance) / max, 2);
    const odds = oddsFactor(term.importance);
    parts.push(
      text(0, y + 14, shorten(term.label, 50), "start", "term-label"),
      el(
        "rect",
        { x: 0, y: y + 21, width: w, height: 16, rx: 3, class: `term-${term.kind}`, "data-kind": term.kind },
        el("title", {}, escapeXml(`${term.label}: moves the odds of churn up to ${odds}`)),
      ),
      text(w + 8, y + 34, odds, "start", "term-value"),
    );
  });
  if (restNote) parts.push(text(0, top + shown.length * rowH + 14, restNote, "start", "legend"));
  const desc = `Terms ranked by how far they move the odds of churn: ${shown.map((t) => `${t.label} ${oddsFactor(t.importance)}`).join(", ")}${restNote ? `; ${restNote}` : ""}.`;
  return svg(width, top + shown.length * rowH + (restNote ? 22 : 0), title, desc, parts);
}

function calibrationPlot(bins: CalibrationBin[]): string {
  const title = "Calibration on held-out customers";
  if (bins.length === 0) return emptyChart(title, "No held-out calibration was recorded for this model.");
  const [width, height, left, bottom, top, right] = [380, 330, 60, 46, 10, 14];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (p: number) => left + plotW * p;
  const y = (p: number) => top + plotH * (1 - p);
  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      el("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: "grid" }),
      text(left - 8, y(tick) + 4, percent(tick), "end"),
    );
    parts.push(
      el("line", { x1: x(tick), x2: x(tick), y1: top, y2: top + plotH, class: "grid" }),
      text(x(tick), top + plotH + 18, percent(tick), "middle"),
    );
  }
  parts.push(el("line", { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: "reference" }));
  const points = bins.map((b) => `${x(b.meanPredicted).toFixed(1)},${y(b.observedRate).toFixed(1)}`).join(" ");
  parts.push(el("polyline", { points, class: "calibration-line" }));
  const most = Math.max(...bins.map((b) => b.count), 1);
  for (const b of bins) {
    const tip = `Predicted ${percent(b.meanPredicted, 1)}, churned ${percent(b.observedRate, 1)} of ${count(b.count)} customers`;
    parts.push(
      el(
        "circle",
        {
          cx: x(b.meanPredicted),
          cy: y(b.observedRate),
          r: 3 + 5 * Math.sqrt(b.count / most),
          class: "calibration-point",
          "data-count": b.count,
        },
        el("title", {}, escapeXml(tip)),
      ),
    );
  }
  parts.push(text(left + plotW / 2, height - 6, "Predicted churn probability", "middle", "axis-title"));
  parts.push(
    el(
      "text",
      {
        x: 14,
        y: top + plotH / 2,
        "text-anchor": "middle",
        class: "axis-title",
        transform: `rotate(-90 14 ${round1(top + plotH / 2)})`,
      },
      "Churned",
    ),
  );
  const desc = `Points on the diagonal mean predicted probabilities match what happened. ${bins.map((b) => `${percent(b.meanPredicted)} predicted, ${percent(b.observedRate)} churned (${count(b.count)})`).join("; ")}.`;
  return svg(width, height, title, desc, parts);
}

function isCalibrationBin(bin: unknown): bin is CalibrationBin {
  const b = bin as Partial<Record<keyof CalibrationBin, unknown>> | null;
  return (
    typeof b === "object" &&
    b !== null &&
    [b.count, b.meanPredicted, b.observedRate].every((n) => typeof n === "number" && Number.isFinite(n))
  );
}

function legendSwatch(x: number, cls: string, label: string): string {
  return el("rect", { x, y: 2, width: 12, height: 12, rx: 2, class: cls }) + text(x + 18, 13, label, "start", "legend");
}

/** Still an image for API callers; the page shows the message as text instead (`data-empty`). */
function emptyChart(title: string, message: string): string {
  return svg(420, 40, title, message, [text(0, 24, message, "start", "chart-empty")]).replace(
    "<svg ",
    '<svg data-empty="true" ',
  );
}

/** The odds multiplier of a log-odds swing: 1.39 -> "×4.0". */
function oddsFactor(logOdds: number): string {
  const factor = Math.exp(logOdds);
  return `×${factor >= 100 ? Math.round(factor).toLocaleString("en-US") : factor.toFixed(1)}`;
}

function percent(p: number, digits = 0): string {
  return `${(p * 100).toFixed(digits)}%`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function shorten(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}
