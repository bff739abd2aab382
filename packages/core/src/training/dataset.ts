import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { RetainwiseError } from "../errors.ts";

/** One raw input column of the model, typed from the training file. */
export type ColumnSpec =
  | { name: string; type: "float" }
  | { name: string; type: "string"; categories: string[] };

/** A labeled training file, parsed: raw cells by column, 0/1 labels, and provenance. */
export interface LabeledDataset {
  columns: ColumnSpec[];
  /** Raw cells per input column (same order as `columns`); numerics already parsed, blank -> NaN. */
  values: Array<Float64Array | string[]>;
  /** Row identifiers (the id column, or the 1-based data row number when there is none). */
  ids: string[];
  labels: Uint8Array;
  label: { column: string; positive: string };
  sha256: string;
  rows: number;
}

export interface ReadDatasetOptions {
  label: string;
  /** The label value counted as churn; by default the first of Yes/1/true present. */
  positive?: string;
  /** Columns that identify a customer and must never be model inputs (default: detected). */
  idColumns?: string[];
}

const POSITIVE_CANDIDATES = ["Yes", "1", "true", "True", "TRUE", "yes"];
/** A string column with a distinct value in (nearly) every row identifies customers, it does not predict. */
const ID_DISTINCT_SHARE = 0.95;

/**
 * Parses a labeled CSV (text) into typed columns. A column is numeric when every non-blank cell is
 * a number (blank cells, like TotalCharges for brand-new Telco customers, become NaN and are imputed
 * by the model); otherwise it is categorical with the categories seen.
 *
 * @example readLabeledCsv(fs.readFileSync("tests/fixtures/telco-churn.csv"), { label: "Churn" })
 */
export function readLabeledCsv(bytes: Buffer | string, options: ReadDatasetOptions): LabeledDataset {
  const records = parse(bytes, { columns: false, skip_empty_lines: true, bom: true }) as string[][];
  const [header, ...body] = records;
  if (!header || body.length === 0) {
    throw new RetainwiseError("train.empty_file", "The training file has no data rows. Provide a CSV with a header and labeled rows.");
  }
  const labelIndex = header.indexOf(options.label);
  if (labelIndex < 0) {
    throw new RetainwiseError("train.missing_label", `The training file has no '${options.label}' column. Name the label column with --label.`);
  }
  const rawLabels = body.map((r) => (r[labelIndex] ?? "").trim());
  checkLabels(options.label, rawLabels);
  const positive = options.positive ?? POSITIVE_CANDIDATES.find((c) => rawLabels.includes(c));
  if (positive === undefined) {
    throw new RetainwiseError("train.unknown_positive", `Cannot tell which '${options.label}' value means churn. Pass --positive VALUE.`);
  }
  const idColumns = new Set(options.idColumns ?? detectIdColumns(header, body, labelIndex));
  const inputIndexes = header.map((_, i) => i).filter((i) => i !== labelIndex && !idColumns.has(header[i]!));
  const idIndex = header.findIndex((h) => idColumns.has(h));
  const typed = inputIndexes.map((i) => typeColumn(header[i]!, body.map((r) => (r[i] ?? "").trim())));
  return {
    columns: typed.map((t) => t.spec),
    values: typed.map((t) => t.values),
    ids: body.map((r, i) => (idIndex >= 0 ? (r[idIndex] ?? "") : String(i + 1))),
    labels: Uint8Array.from(rawLabels, (v) => (v === positive ? 1 : 0)),
    label: { column: options.label, positive },
    sha256: createHash("sha256").update(bytes).digest("hex"),
    rows: body.length,
  };
}

/** Two classes, every row labeled: a blank label silently read as "stayed" would bias the model. */
function checkLabels(column: string, labels: string[]): void {
  const blank = labels.findIndex((l) => l === "");
  if (blank >= 0) {
    throw new RetainwiseError("train.blank_label", `Row ${blank + 2} has no '${column}' value. Label every row, or remove unlabeled rows before training.`);
  }
  const classes = new Set(labels);
  if (classes.size !== 2) {
    throw new RetainwiseError("train.label_classes", `The '${column}' column must hold exactly two values (e.g. Yes/No); it holds ${classes.size}.`);
  }
}

function detectIdColumns(header: string[], body: string[][], labelIndex: number): string[] {
  return header.filter((name, i) => {
    if (i === labelIndex) return false;
    const cells = body.map((r) => (r[i] ?? "").trim());
    if (cells.every((c) => c === "" || Number.isFinite(Number(c)))) return false;
    return new Set(cells).size >= ID_DISTINCT_SHARE * body.length;
  });
}

function typeColumn(name: string, cells: string[]): { spec: ColumnSpec; values: Float64Array | string[] } {
  const numeric = cells.every((c) => c === "" || Number.isFinite(Number(c)));
  if (numeric) {
    return { spec: { name, type: "float" }, values: Float64Array.from(cells, (c) => (c === "" ? Number.NaN : Number(c))) };
  }
  const categories = [...new Set(cells.filter((c) => c !== ""))].sort();
  return { spec: { name, type: "string", categories }, values: cells };
}
