import { RetainwiseError } from "../errors.ts";
import { RISK_LEVELS, type RiskLevel } from "./risk.ts";
import { resolvePositions } from "../csv/positions.ts";
import type { CustomerIds, RowError, RowProblem, ScoreSummary, TopRisk } from "./summary-types.ts";

export const HISTOGRAM_BINS = 10;
export const TOP_RISKS_KEPT = 20;
/** Row errors kept in the summary; the output CSV and the error report have every one. */
export const ROW_ERRORS_KEPT = 100;
/** Distinct problems counted; a file with more has them all counted under its first ones' rivals, never unbounded. */
const PROBLEMS_TRACKED = 50;
/** Problems listed in the summary, most common first. */
export const ROW_PROBLEMS_KEPT = 5;

/** Accumulates a `ScoreSummary` in O(1) memory per row. */
export class SummaryBuilder {
  private scored = 0;
  private failed = 0;
  private sum = 0;
  private readonly histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  private readonly riskCounts: Record<RiskLevel, number> = { High: 0, Medium: 0, Low: 0 };
  private readonly top: TopRisk[] = [];
  private readonly errors: RowError[] = [];
  private readonly problems = new Map<string, RowProblem>();

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
    this.countProblem(problemOf(error.reason), 1, error.row, error.reason);
  }

  private countProblem(problem: string, rows: number, firstRow: number, example: string): void {
    const known = this.problems.get(problem);
    if (!known) {
      if (this.problems.size < PROBLEMS_TRACKED) this.problems.set(problem, { problem, rows, firstRow, example });
      return;
    }
    known.rows += rows;
    if (firstRow < known.firstRow) Object.assign(known, { firstRow, example });
  }

  /**
   * Adds the summary of a later part of the same file, read after `before` rows, lines and bytes;
   * its positions are placeholders until then (csv/positions.ts).
   */
  absorb(part: ScoreSummary, before: { rows: number; lines: number; bytes: number }): void {
    const rowsBefore = before.rows;
    const resolve = (text: string) => resolvePositions(text, before);
    this.scored += part.rowsScored;
    this.failed += part.rowsFailed;
    this.sum += (part.meanProbability ?? 0) * part.rowsScored;
    part.histogram.forEach((count, bin) => {
      this.histogram[bin]! += count;
    });
    for (const level of RISK_LEVELS) this.riskCounts[level] += part.riskCounts[level];
    for (const risk of part.topRisks) {
      // Numbered rows: a part's ids are row placeholders until its place in the file is known.
      const customerId = part.customerIds === "row_number" ? resolve(risk.customerId) : risk.customerId;
      if (this.wouldKeep(risk.probability)) this.keepTopRisk({ ...risk, customerId });
    }
    for (const error of part.rowErrors) {
      if (this.errors.length >= ROW_ERRORS_KEPT) break;
      this.errors.push({
        row: error.row + rowsBefore,
        customerId: resolve(error.customerId),
        reason: resolve(error.reason),
      });
    }
    for (const { problem, rows, firstRow, example } of part.rowProblems)
      this.countProblem(problem, rows, firstRow + rowsBefore, resolve(example));
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
      rowProblems: [...this.problems.values()]
        .sort((a, b) => b.rows - a.rows || a.firstRow - b.firstRow)
        .slice(0, ROW_PROBLEMS_KEPT)
        .map((p) => ({ ...p })),
    };
  }
}

export const DEFAULT_MAX_BAD_ROW_SHARE = 0.1;

/** The file-level verdict once every row is read: no rows at all, or too many bad ones. */
export function assertFewBadRows(summary: ScoreSummary, maxShare = DEFAULT_MAX_BAD_ROW_SHARE): void {
  const total = summary.rowsScored + summary.rowsFailed;
  if (total === 0) {
    throw new RetainwiseError(
      "csv.no_rows",
      "The file has a header row but no customer rows. Add one row per customer below the header.",
    );
  }
  const share = summary.rowsFailed / total;
  if (share > maxShare) {
    throw new RetainwiseError(
      "csv.too_many_bad_rows",
      `${count(summary.rowsFailed)} of ${count(total)} rows (${(share * 100).toFixed(1)}%) could not be scored, more than the ${(maxShare * 100).toFixed(0)}% allowed. ` +
        `${describeProblems(summary)} Fix these rows and try again with the corrected file.`,
      // The first of them, kept with the failed job: what the error report's preview shows.
      { details: { rowErrors: summary.rowErrors } },
    );
  }
}

/** e.g. "Most common problem (7,036 rows): the row has 7 fields but the header has 21, first at row 9: …". */
function describeProblems(summary: ScoreSummary): string {
  const [top] = summary.rowProblems;
  if (!top) return "";
  const example = top.example === top.problem ? "" : `: ${top.example}`;
  return `Most common problem (${top.rows === 1 ? "1 row" : `${count(top.rows)} rows`}): ${top.problem}, first at row ${top.firstRow}${example}.`;
}

/**
 * What a row error has in common with others of its kind: the reason without the cell that caused
 * it (`tenure "twelve" is not a number` -> `tenure is not a number`) or the line it was on.
 */
export function problemOf(reason: string): string {
  return reason.replace(/ "(?:[^"]|"")*"/g, "").replace(/^line \S+ /, "a line ");
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
