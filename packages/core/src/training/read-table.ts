import { createHash } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import { headRecords } from "../csv/head-sample.ts";
import { detectNumberFormat, type NumberFormat } from "../csv/numbers.ts";
import { isUnreadable } from "../csv/reader.ts";
import { openCsvAfterHead, readHead } from "../csv/reader.ts";
import { RetainwiseError } from "../errors.ts";
import { decidePositive, findLabelColumn, findNamedColumn } from "./label.ts";
import { decideRoles, type ColumnDecision, type RawColumn } from "./column-roles.ts";
import type { TrainingTable } from "./table.ts";

export interface ReadTrainingOptions {
  /** The label column, matched like the scorer's headers (`Churn`, `churn`, `CHURN `). */
  label: string;
  /** The label value that means churn; by default the one of two values that reads so (Yes, 1, true, Churned, Exited…). */
  positive?: string;
  /** Use exactly these columns as inputs (overrides detection). */
  inputs?: readonly string[];
  /** Never use these columns. */
  exclude?: readonly string[];
  /** Refuse files with more data rows than this (default 200,000). */
  maxRows?: number;
  /**
   * Refuse files with more data rows x columns than this (default: no cap), counted while reading,
   * so a file that would not fit is refused before it is held whole, let alone fitted.
   */
  maxCells?: number;
}

export interface TrainingInput {
  table: TrainingTable;
  /** Every column of the file (label included) with the role it was given and why. */
  columns: ColumnDecision[];
  label: { column: string; positive: string };
  /** The identifier column's values per kept row, when the file has one. */
  ids?: string[];
  numberFormat: NumberFormat;
  /** Of the file's bytes as read. */
  sha256: string;
  /** Data rows kept (rows with errors are skipped and listed in `rowErrors`). */
  rows: number;
  rowErrors: { row: number; reason: string }[];
}

export const DEFAULT_MAX_TRAINING_ROWS = 200_000;

/**
 * Training holds every cell and per column bins, histograms and pair tables: its memory grows with
 * rows x columns (about 50 bytes a cell at Telco's width, ~1 GB per million rows of 20 columns;
 * docs/BENCHMARKS.md, "Training speed and memory"), so the worker caps that product.
 */
function tooLarge(columns: number, rowsThatFit: number, cells: number): RetainwiseError {
  const n = (x: number) => x.toLocaleString("en-US");
  return new RetainwiseError(
    "train.too_large",
    `The training file is too large to train in memory: with its ${n(columns)} columns at most ${n(rowsThatFit)} rows fit (rows x columns at most ${n(cells)} cells), and it has more. Train on fewer rows, or drop the columns the model should not read.`,
  );
}
/** Training stops when more than this share of rows cannot be read: the file is probably not what it seems. */
const MAX_BAD_ROW_SHARE = 0.1;
/** Row errors kept for the result (all are counted). */
const ROW_ERRORS_KEPT = 100;

/**
 * Reads a labeled CSV for training with the scorer's reader (core/csv: delimiter sniffing, BOM,
 * CRLF, quoted fields, the file's number format), so a file that scores also trains. Rows that
 * cannot be read (ragged, stray quotes, blank label) are skipped with their row numbers; then each
 * column gets a role (column-roles.ts) and the used ones are typed into a TrainingTable.
 *
 * @example
 *   const { table, columns } = await readTrainingTable(createReadStream("history.csv"), { label: "Churn" });
 */
export async function readTrainingTable(source: Readable, options: ReadTrainingOptions): Promise<TrainingInput> {
  const hash = createHash("sha256");
  const hashed = source.pipe(
    new Transform({
      transform: (chunk: Buffer, _e, done) => {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
  );
  source.on("error", (error) => hashed.destroy(error));
  const head = await readHead(hashed);
  const csv = await openCsvAfterHead(head);
  const { headers } = csv;
  const labelIndex = findLabelColumn(headers, options.label);
  const numberFormat = detectNumberFormat(
    headRecords(head.head, head.complete, csv.delimiter).flatMap((r) => r.filter((_, i) => i !== labelIndex)),
  );
  const read = await readColumns(csv.records, headers.length, labelIndex, {
    rows: options.maxRows ?? DEFAULT_MAX_TRAINING_ROWS,
    cells: options.maxCells ?? Number.POSITIVE_INFINITY,
  });
  const labelName = headers[labelIndex]!;
  const positive = decidePositive(labelName, read.labels, options.positive);
  const labels = Uint8Array.from(read.labels, (l) => (l === positive ? 1 : 0));

  const others = headers.map((name, i) => ({ name, i })).filter(({ i }) => i !== labelIndex);
  const position = (i: number) => others.findIndex((o) => o.i === i);
  const named = (names: readonly string[] | undefined, flag: string) =>
    names ? new Set(names.map((n) => position(findNamedColumn(headers, n, flag)))) : undefined;
  const raw: RawColumn[] = others.map(({ name, i }) => ({ name, cells: read.columns[i]! }));
  const { decisions, inputs } = decideRoles(raw, labels, numberFormat, {
    inputs: named(options.inputs, "--input"),
    exclude: named(options.exclude, "--exclude"),
  });
  if (inputs.length === 0) {
    throw new RetainwiseError(
      "train.no_inputs",
      `No column of the file can be a model input: ${decisions.map((d) => `${d.name} (${d.role})`).join(", ")}. Add customer attributes, or name columns to use with --input.`,
    );
  }
  const positives = labels.reduce((n, y) => n + y, 0);
  const columns: ColumnDecision[] = [
    {
      name: labelName,
      role: "label",
      reason: `the label: "${positive}" means churned (${positives.toLocaleString("en-US")} of ${labels.length.toLocaleString("en-US")} rows)`,
    },
    ...decisions,
  ];
  const idColumn = decisions.find((d) => d.role === "identifier");
  return {
    table: { rows: labels.length, labels, inputs },
    columns: headers.map((h) => columns.find((c) => c.name === h)!),
    label: { column: labelName, positive },
    ...(idColumn ? { ids: raw.find((c) => c.name === idColumn.name)!.cells } : {}),
    numberFormat,
    sha256: hash.digest("hex"),
    rows: labels.length,
    rowErrors: read.rowErrors,
  };
}

interface ReadColumns {
  /** Trimmed cells per file column (the label's too), kept rows only. */
  columns: string[][];
  labels: string[];
  rowErrors: { row: number; reason: string }[];
}

async function readColumns(
  records: AsyncIterator<string[]>,
  width: number,
  labelIndex: number,
  max: { rows: number; cells: number },
): Promise<ReadColumns> {
  const maxRows = max.rows;
  const rowsThatFit = Math.floor(max.cells / width);
  const columns: string[][] = Array.from({ length: width }, () => []);
  const labels: string[] = [];
  const rowErrors: ReadColumns["rowErrors"] = [];
  let failed = 0;
  let row = 0;
  for (;;) {
    const next = await records.next();
    if (next.done) break;
    row++;
    if (row > maxRows) {
      throw new RetainwiseError(
        "train.too_many_rows",
        `The training file has more than ${maxRows.toLocaleString("en-US")} rows. Train on a sample of at most that many rows, or raise the cap with --max-rows.`,
      );
    }
    if (row > rowsThatFit) throw tooLarge(width, rowsThatFit, max.cells);
    const record = next.value;
    const reason = isUnreadable(record)
      ? record.unreadable
      : record.length !== width
        ? `the row has ${record.length} field${record.length === 1 ? "" : "s"} but the header has ${width}`
        : (record[labelIndex] ?? "").trim() === ""
          ? "the label is blank"
          : undefined;
    if (reason !== undefined) {
      failed++;
      if (rowErrors.length < ROW_ERRORS_KEPT) rowErrors.push({ row, reason });
      continue;
    }
    for (let c = 0; c < width; c++) columns[c]!.push(record[c]!.trim());
    labels.push(columns[labelIndex]![columns[labelIndex]!.length - 1]!);
  }
  if (row === 0)
    throw new RetainwiseError(
      "train.empty_file",
      "The training file has a header but no data rows. Provide one labeled row per customer.",
    );
  if (failed > MAX_BAD_ROW_SHARE * row) {
    const first = rowErrors
      .slice(0, 3)
      .map((e) => `row ${e.row}: ${e.reason}`)
      .join("; ");
    throw new RetainwiseError(
      "train.too_many_bad_rows",
      `${failed.toLocaleString("en-US")} of ${row.toLocaleString("en-US")} rows cannot be used (${first}). Fix these rows, or check the file's delimiter and quoting.`,
    );
  }
  return { columns, labels, rowErrors };
}
