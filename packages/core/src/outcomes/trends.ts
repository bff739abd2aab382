import { aucInterval, delongAuc } from "./delong.ts";
import type { LabeledScore, PredictionDigest } from "./outcome.ts";
import { MIN_OUTCOMES_PER_CLASS } from "./performance.ts";

export const TREND_BUCKETS = ["day", "week"] as const;
export type TrendBucket = (typeof TREND_BUCKETS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TrendPoint {
  /** Start (inclusive) and end (exclusive) of the bucket, UTC. */
  start: string;
  end: string;
  /** Predictions created in the bucket, whatever became of them. */
  uploads: number;
  /** Customers scored by the bucket's completed predictions. */
  rowsScored: number;
  /** Over those customers; null when none. */
  meanProbability: number | null;
  highShare: number | null;
  /** AUC over the bucket's labeled customers once both classes have MIN_OUTCOMES_PER_CLASS; else null with the counts. */
  realizedAuc: { value: number; interval: [number, number] } | null;
  labeledRows: number;
}

/**
 * One account over time: uploads, mean churn probability and share High per bucket (from each
 * prediction's stored summary, weighted by its rows), and the realized AUC where outcomes are known
 * (the bucket's labeled customers pooled).
 *
 * @example
 *   buildTrends(digests, labeled, { from, to, bucket: "week" })
 */
export function buildTrends(
  predictions: readonly PredictionDigest[],
  labeled: readonly LabeledScore[],
  range: { from: Date; to: Date; bucket: TrendBucket },
): TrendPoint[] {
  const size = (range.bucket === "week" ? 7 : 1) * DAY_MS;
  const start = Math.floor(range.from.getTime() / DAY_MS) * DAY_MS;
  const count = Math.max(1, Math.ceil((range.to.getTime() - start) / size));
  const buckets = Array.from({ length: count }, (_, i) => ({
    start: start + i * size,
    uploads: 0,
    rows: 0,
    sum: 0,
    high: 0,
    labeled: [] as LabeledScore[],
  }));
  const bucketOf = new Map<string, (typeof buckets)[number]>();
  for (const p of predictions) {
    const bucket = buckets[Math.floor((p.createdAt.getTime() - start) / size)];
    if (!bucket) continue;
    bucket.uploads++;
    bucketOf.set(p.id, bucket);
    const rows = p.metrics?.rowsScored ?? 0;
    if (p.status !== "COMPLETED" || rows === 0) continue;
    bucket.rows += rows;
    bucket.sum += (p.metrics!.meanProbability ?? 0) * rows;
    bucket.high += p.metrics!.riskCounts.High;
  }
  for (const score of labeled) bucketOf.get(score.predictionId)?.labeled.push(score);
  return buckets.map((b) => ({
    start: new Date(b.start).toISOString(),
    end: new Date(b.start + size).toISOString(),
    uploads: b.uploads,
    rowsScored: b.rows,
    meanProbability: b.rows > 0 ? b.sum / b.rows : null,
    highShare: b.rows > 0 ? b.high / b.rows : null,
    realizedAuc: realizedAuc(b.labeled),
    labeledRows: b.labeled.length,
  }));
}

function realizedAuc(rows: readonly LabeledScore[]): TrendPoint["realizedAuc"] {
  const churned = rows.filter((r) => r.churned).length;
  if (Math.min(churned, rows.length - churned) < MIN_OUTCOMES_PER_CLASS) return null;
  const estimate = delongAuc(
    rows.map((r) => r.probability),
    rows.map((r) => r.churned),
  );
  return { value: estimate.auc, interval: aucInterval(estimate) };
}
