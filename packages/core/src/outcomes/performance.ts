import { aucInterval, delongAuc } from "./delong.ts";

/** Both classes need this many labeled rows before a number is shown: below it the AUC's interval is too wide to act on. */
export const MIN_OUTCOMES_PER_CLASS = 30;
/** "Of the customers we flagged, how many left": the top shares a retention team calls. */
export const TOP_SHARES = [0.1, 0.2] as const;
const CALIBRATION_GROUPS = 10;

export interface LabeledRow {
  probability: number;
  churned: boolean;
}

export type RealizedPerformance = ReadyPerformance | NotEnoughOutcomes;

interface Counts {
  labeledRows: number;
  churned: number;
  stayed: number;
}

export interface NotEnoughOutcomes extends Counts {
  status: "not_enough_outcomes";
  minimumPerClass: number;
  /** `not enough outcomes yet (12 of 30)`: the smaller class against the minimum. */
  message: string;
}

export interface ReadyPerformance extends Counts {
  status: "ready";
  /** Share of labeled customers who churned. */
  baseRate: number;
  auc: { value: number; interval: [number, number]; method: "DeLong" };
  /** Mean squared difference between probability and outcome (0 is perfect). */
  brier: number;
  /** Labeled rows in (up to) ten equal groups by predicted probability (deciles), lowest first. */
  calibration: CalibrationGroup[];
  top: TopShare[];
}

export interface CalibrationGroup {
  /** Lowest and highest probability in the group. */
  binStart: number;
  binEnd: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

export interface TopShare {
  /** 0.1 = the 10% highest probabilities. */
  share: number;
  rows: number;
  /** Churned customers among them (fractional when the cut falls inside tied probabilities: the expected count under a random tie-break). */
  churned: number;
  /** churned / rows. */
  precision: number;
  /** precision / baseRate: how many times the average churn rate the flagged customers show. */
  lift: number;
}

/**
 * How well probabilities matched what happened: AUC with its DeLong 95% interval, Brier, calibration
 * per decile and precision/lift in the top 10% and 20%. Until both classes have
 * MIN_OUTCOMES_PER_CLASS rows, only the counts.
 *
 * @example
 *   const performance = realizedPerformance([{ probability: 0.81, churned: true }, ...]);
 *   if (performance.status === "ready") console.log(performance.auc.value, performance.top[0].lift);
 */
export function realizedPerformance(rows: readonly LabeledRow[]): RealizedPerformance {
  const churned = rows.filter((r) => r.churned).length;
  const counts = { labeledRows: rows.length, churned, stayed: rows.length - churned };
  const smaller = Math.min(counts.churned, counts.stayed);
  if (smaller < MIN_OUTCOMES_PER_CLASS) {
    return {
      status: "not_enough_outcomes",
      ...counts,
      minimumPerClass: MIN_OUTCOMES_PER_CLASS,
      message: `not enough outcomes yet (${smaller} of ${MIN_OUTCOMES_PER_CLASS})`,
    };
  }
  const estimate = delongAuc(
    rows.map((r) => r.probability),
    rows.map((r) => r.churned),
  );
  const sorted = [...rows].sort((a, b) => a.probability - b.probability);
  const baseRate = churned / rows.length;
  return {
    status: "ready",
    ...counts,
    baseRate,
    auc: { value: estimate.auc, interval: aucInterval(estimate), method: "DeLong" },
    brier: rows.reduce((sum, r) => sum + (r.probability - (r.churned ? 1 : 0)) ** 2, 0) / rows.length,
    calibration: calibrationGroups(sorted),
    top: TOP_SHARES.map((share) => topShare(sorted, share, baseRate)),
  };
}

/**
 * Ten groups of about equal size in probability order. A run of equal probabilities stays in one
 * group (the boundary moves past it), so the table does not depend on the order of tied rows.
 */
function calibrationGroups(sorted: readonly LabeledRow[]): CalibrationGroup[] {
  const groups: CalibrationGroup[] = [];
  let start = 0;
  for (let g = 1; g <= CALIBRATION_GROUPS && start < sorted.length; g++) {
    let end = Math.max(start + 1, Math.floor((g * sorted.length) / CALIBRATION_GROUPS));
    while (end < sorted.length && sorted[end]!.probability === sorted[end - 1]!.probability) end++;
    const part = sorted.slice(start, end);
    start = end;
    groups.push({
      binStart: part[0]!.probability,
      binEnd: part[part.length - 1]!.probability,
      count: part.length,
      meanPredicted: part.reduce((s, r) => s + r.probability, 0) / part.length,
      observedRate: part.filter((r) => r.churned).length / part.length,
    });
  }
  return groups;
}

/**
 * The `share` highest probabilities (rounded to whole rows). When the cut falls inside a run of
 * equal probabilities, the run counts in proportion: which of tied customers a team calls first is
 * arbitrary, so the expected value is the honest number (and it does not depend on row order).
 */
function topShare(ascending: readonly LabeledRow[], share: number, baseRate: number): TopShare {
  const n = ascending.length;
  const rows = Math.max(1, Math.round(share * n));
  const threshold = ascending[n - rows]!.probability;
  let above = 0;
  let churnedAbove = 0;
  let tied = 0;
  let churnedTied = 0;
  for (const r of ascending) {
    if (r.probability > threshold) {
      above++;
      churnedAbove += r.churned ? 1 : 0;
    } else if (r.probability === threshold) {
      tied++;
      churnedTied += r.churned ? 1 : 0;
    }
  }
  const churned = churnedAbove + (churnedTied * (rows - above)) / tied;
  const precision = churned / rows;
  return { share, rows, churned, precision, lift: precision / baseRate };
}
