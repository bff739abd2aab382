/**
 * A labeled training table after column roles are decided: what the fitting algorithm sees. Built
 * from a CSV by dataset.ts (core/csv reader, number formats, roles); the fit never sees raw text.
 */
export interface TrainingTable {
  rows: number;
  /** 1 = the positive label value (churned), 0 = the other. */
  labels: Uint8Array;
  inputs: TableInput[];
}

export type TableInput = NumericColumn | CategoricalColumn;

export interface NumericColumn {
  role: "numeric";
  name: string;
  /** How the column reads in reasons ("Tenure (months)"). */
  label: string;
  /** One per row; NaN where the cell was blank. */
  values: Float64Array;
}

export interface CategoricalColumn {
  role: "categorical" | "boolean";
  name: string;
  label: string;
  /** Every level seen (sorted); the fit may fold rare ones into "other". */
  categories: string[];
  /** Index into `categories` per row; -1 where the cell was blank. */
  codes: Int32Array;
}
