import { auc } from "./metrics.ts";

/**
 * How well one coded column alone ranks rows by the label, out of sample: the churn rate of each
 * code is learned on the even rows and scored on the odd ones, so a column of many small levels
 * cannot look predictive by memorising them. `codes` are integers in [0, size).
 */
export function columnAuc(codes: ArrayLike<number>, size: number, labels: Uint8Array): number {
  const rows = new Float64Array(size);
  const positives = new Float64Array(size);
  let allPositives = 0;
  let learned = 0;
  for (let r = 0; r < labels.length; r += 2) {
    rows[codes[r]!]!++;
    positives[codes[r]!]! += labels[r]!;
    allPositives += labels[r]!;
    learned++;
  }
  const prior = allPositives / Math.max(1, learned);
  const scores: number[] = [];
  const held: number[] = [];
  for (let r = 1; r < labels.length; r += 2) {
    const c = codes[r]!;
    scores.push((positives[c]! + prior) / (rows[c]! + 1));
    held.push(labels[r]!);
  }
  const score = auc(scores, held);
  return Number.isNaN(score) ? 0.5 : Math.max(score, 1 - score);
}
