import type { ModelCard } from "../model/card.ts";

export type HeldOutMetrics = NonNullable<ModelCard["metrics"]>["heldOut"];

const CALIBRATION_BINS = 10;
/** Probabilities are clipped before log loss so one confident miss cannot make it infinite. */
const LOG_LOSS_EPSILON = 1e-15;

/** AUC, Brier, accuracy at 0.5, log loss and a 10-bin calibration table. */
export function classificationMetrics(probabilities: ArrayLike<number>, labels: ArrayLike<number>): HeldOutMetrics {
  const n = labels.length;
  let brier = 0;
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    const y = labels[i]!;
    brier += (p - y) ** 2;
    correct += (p >= 0.5 ? 1 : 0) === y ? 1 : 0;
    const clipped = Math.min(Math.max(p, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    logLoss -= y ? Math.log(clipped) : Math.log(1 - clipped);
  }
  return {
    auc: auc(probabilities, labels),
    brier: brier / n,
    accuracy: correct / n,
    logLoss: logLoss / n,
    rows: n,
    calibration: calibrationTable(probabilities, labels),
  };
}

/** Area under the ROC curve by the rank-sum (Mann–Whitney) formula; ties count one half. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!]) {
        rankSumPositive += midRank;
        positives++;
      }
    }
    start = end + 1;
  }
  const negatives = labels.length - positives;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function calibrationTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>): HeldOutMetrics["calibration"] {
  const bins = Array.from({ length: CALIBRATION_BINS }, (_, b) => ({
    binStart: b / CALIBRATION_BINS,
    binEnd: (b + 1) / CALIBRATION_BINS,
    count: 0,
    sumP: 0,
    sumY: 0,
  }));
  for (let i = 0; i < labels.length; i++) {
    const bin = bins[Math.min(CALIBRATION_BINS - 1, Math.floor(probabilities[i]! * CALIBRATION_BINS))]!;
    bin.count++;
    bin.sumP += probabilities[i]!;
    bin.sumY += labels[i]!;
  }
  return bins
    .filter((b) => b.count > 0)
    .map((b) => ({
      binStart: b.binStart,
      binEnd: b.binEnd,
      count: b.count,
      meanPredicted: b.sumP / b.count,
      observedRate: b.sumY / b.count,
    }));
}
