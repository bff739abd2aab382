import type { RiskLevel } from "./risk.ts";

/**
 * What a scoring run reports about itself: stored as the prediction's `metrics` JSON and shown in
 * the UI. Probabilities are the positive-class (churn) probability in [0, 1].
 */
export interface ScoreSummary {
  rowsScored: number;
  rowsFailed: number;
  /** Mean churn probability over scored rows; null when none scored. */
  meanProbability: number | null;
  riskCounts: Record<RiskLevel, number>;
  /** 10 equal bins over [0, 1]: bin i counts probabilities in [i/10, (i+1)/10), the last bin includes 1. */
  histogram: number[];
  /** The 20 highest-risk customers, highest first, with their reasons (empty when the model gives none). */
  topRisks: TopRisk[];
  modelVersion: string | null;
  /** Where `customer_id` came from: the file's id column, or the row number when the file has none. */
  customerIds: CustomerIds;
  /** The first rows that could not be scored (row numbers are 1-based data rows, header excluded). */
  rowErrors: RowError[];
  /** The most common kinds of row error, most rows first (at most 5). */
  rowProblems: RowProblem[];
}

export type CustomerIds = "column" | "row_number";

export interface TopRisk {
  customerId: string;
  probability: number;
  riskLevel: RiskLevel;
  riskFactors: string[];
  protectiveFactors: string[];
}

export interface RowError {
  row: number;
  customerId: string;
  reason: string;
}

export interface RowProblem {
  /** A row error without its cell or line (`tenure is not a number`). */
  problem: string;
  rows: number;
  /** The first data row with it (1-based), and its full reason. */
  firstRow: number;
  example: string;
}
