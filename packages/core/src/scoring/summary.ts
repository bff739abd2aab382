import type { RiskLevel } from "./risk.ts";
import type { RowError, ScoreSummary, TopRisk } from "./summary-types.ts";

export const HISTOGRAM_BINS = 10;
export const TOP_RISKS_KEPT = 20;
/** Row errors kept in the summary; the output CSV has every one in its `error` column. */
export const ROW_ERRORS_KEPT = 100;

/** Accumulates a `ScoreSummary` in O(1) memory per row. */
export class SummaryBuilder {
  private scored = 0;
  private failed = 0;
  private sum = 0;
  private readonly histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  private readonly riskCounts: Record<RiskLevel, number> = { High: 0, Medium: 0, Low: 0 };
  private readonly top: TopRisk[] = [];
  private readonly errors: RowError[] = [];

  constructor(private readonly modelVersion: string | null) {}

  get rowsScored(): number {
    return this.scored;
  }

  get rowsFailed(): number {
    return this.failed;
  }

  addScored(probability: number, level: RiskLevel): void {
    this.scored++;
    this.sum += probability;
    this.histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(probability * HISTOGRAM_BINS))]!++;
    this.riskCounts[level]++;
  }

  /** Cheap test first, so the reasons of a row are only formatted when it enters the top list. */
  wouldKeep(probability: number): boolean {
    return this.top.length < TOP_RISKS_KEPT || probability > this.top[this.top.length - 1]!.probability;
  }

  keepTopRisk(risk: TopRisk): void {
    let at = this.top.length;
    while (at > 0 && this.top[at - 1]!.probability < risk.probability) at--;
    this.top.splice(at, 0, risk);
    if (this.top.length > TOP_RISKS_KEPT) this.top.pop();
  }

  addFailed(error: RowError): void {
    this.failed++;
    if (this.errors.length < ROW_ERRORS_KEPT) this.errors.push(error);
  }

  build(): ScoreSummary {
    return {
      rowsScored: this.scored,
      rowsFailed: this.failed,
      meanProbability: this.scored > 0 ? this.sum / this.scored : null,
      riskCounts: { ...this.riskCounts },
      histogram: [...this.histogram],
      topRisks: [...this.top],
      modelVersion: this.modelVersion,
      rowErrors: [...this.errors],
    };
  }
}
