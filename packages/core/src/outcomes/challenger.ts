import { compareAucs, delongAuc } from "./delong.ts";
import { realizedPerformance, type RealizedPerformance } from "./performance.ts";

/** A labeled customer scored by both models of a champion / challenger prediction. */
export interface PairedRow {
  probability: number;
  challengerProbability: number;
  churned: boolean;
}

export interface ChallengerComparison {
  /** Customers both models scored whose outcome is known: the two are measured on exactly these. */
  labeledRows: number;
  champion: RealizedPerformance;
  challenger: RealizedPerformance;
  /**
   * Challenger AUC minus champion AUC with its 95% interval, from DeLong's covariance of the two
   * scores on the same rows (paired: tighter than two separate intervals). Null until both
   * classes have enough outcomes.
   */
  aucDifference: { value: number; interval: [number, number]; method: "paired DeLong" } | null;
  /** `challenger` / `champion` when the interval excludes 0, else `no_clear_difference`; null when not measured yet. */
  better: "challenger" | "champion" | "no_clear_difference" | null;
}

/**
 * Champion against challenger on the same labeled customers: each one's realized performance, and
 * the AUC difference with its paired interval. "Promote the challenger" is sound when `better` is
 * `challenger`; with `no_clear_difference` the data cannot tell them apart yet.
 *
 * @example
 *   const c = compareChallenger(rows);
 *   if (c.better === "challenger") console.log(`+${c.aucDifference!.value.toFixed(3)} AUC`);
 */
export function compareChallenger(rows: readonly PairedRow[]): ChallengerComparison {
  const champion = realizedPerformance(rows);
  const challenger = realizedPerformance(
    rows.map((r) => ({ probability: r.challengerProbability, churned: r.churned })),
  );
  if (champion.status !== "ready")
    return { labeledRows: rows.length, champion, challenger, aucDifference: null, better: null };
  const labels = rows.map((r) => r.churned);
  const { difference, interval } = compareAucs(
    delongAuc(
      rows.map((r) => r.probability),
      labels,
    ),
    delongAuc(
      rows.map((r) => r.challengerProbability),
      labels,
    ),
  );
  const better = interval[0] > 0 ? "challenger" : interval[1] < 0 ? "champion" : "no_clear_difference";
  return {
    labeledRows: rows.length,
    champion,
    challenger,
    aucDifference: { value: difference, interval, method: "paired DeLong" },
    better,
  };
}

/** The rows a challenger also scored (a row the challenger could not read has no challenger probability). */
export function pairedRows(
  rows: readonly { probability: number; challengerProbability: number | null; churned: boolean }[],
): PairedRow[] {
  return rows.filter((r): r is PairedRow => r.challengerProbability !== null);
}
