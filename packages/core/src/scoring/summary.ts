import { RetainwiseError } from "../errors.ts";
import { RISK_LEVELS, type RiskLevel } from "./risk.ts";
import { resolvePositions } from "../csv/positions.ts";
import type { CustomerIds, RowError, ScoreSummary, TopRisk } from "./summary-types.ts";

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

  constructor(
    private readonly modelVersion: string | null,
    private readonly customerIds: CustomerIds = "column",
  ) {}

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

  /** Adds the summary of a later piece of the same file, whose row 1 is row `rowsBefore + 1` here. */
  absorb(piece: ScoreSummary, rowsBefore: number): void {
    this.scored += piece.rowsScored;
    this.failed += piece.rowsFailed;
    this.sum += (piece.meanProbability ?? 0) * piece.rowsScored;
    piece.histogram.forEach((count, bin) => (this.histogram[bin]! += count));
    for (const level of RISK_LEVELS) this.riskCounts[level] += piece.riskCounts[level];
    for (const risk of piece.topRisks) {
      // Numbered rows: a piece's ids are row placeholders until its place in the file is known.
      const customerId = piece.customerIds === "row_number" ? resolvePositions(risk.customerId, { rows: rowsBefore, lines: 0, bytes: 0 }) : risk.customerId;
      if (this.wouldKeep(risk.probability)) this.keepTopRisk({ ...risk, customerId });
    }
    for (const error of piece.rowErrors) {
      if (this.errors.length >= ROW_ERRORS_KEPT) break;
      this.errors.push({ row: error.row + rowsBefore, reason: error.reason });
    }
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
      customerIds: this.customerIds,
      rowErrors: [...this.errors],
    };
  }
}

export const DEFAULT_MAX_BAD_ROW_SHARE = 0.1;

/** The file-level verdict once every row is read: no rows at all, or too many bad ones. */
export function assertFewBadRows(summary: ScoreSummary, maxShare = DEFAULT_MAX_BAD_ROW_SHARE): void {
  const total = summary.rowsScored + summary.rowsFailed;
  if (total === 0) {
    throw new RetainwiseError("csv.no_rows", "The file has a header row but no customer rows. Add one row per customer below the header.");
  }
  const share = summary.rowsFailed / total;
  if (share > maxShare) {
    const [first] = summary.rowErrors;
    throw new RetainwiseError(
      "csv.too_many_bad_rows",
      `${summary.rowsFailed} of ${total} rows (${(share * 100).toFixed(1)}%) could not be scored, more than the ${(maxShare * 100).toFixed(0)}% allowed. ` +
        `First problem: row ${first?.row}: ${first?.reason}. Fix these rows and upload the file again.`,
    );
  }
}
