import { Readable, Writable } from "node:stream";
import { CUSTOMER_ID, DELIMITERS, findColumn, isUnreadable, openCsv, resolveColumns, type CsvSource, type Delimiter } from "../csv/index.ts";
import { ABSOLUTE_POSITIONS, RELATIVE_POSITIONS, type Positions } from "../csv/positions.ts";
import { openCsvAfterHead, type Head } from "../csv/reader.ts";
import { ellipsize } from "../bounded-text.ts";
import { RetainwiseError } from "../errors.ts";
import type { ChurnModel, ModelOutput } from "../model/churn-model.ts";
import { ERROR_REPORT_HEADER } from "./error-report.ts";
import { csvLines, endOutput, headerLine, write } from "./output.ts";
import { explainRow } from "./reasons.ts";
import { riskLevel } from "./risk.ts";
import { assertFewBadRows, SummaryBuilder } from "./summary.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";
import type { CustomerIds, ScoreSummary } from "./summary-types.ts";

/** Rows per `session.run`: measured faster than 4096 (records die young instead of being promoted) and ~40 MB less RSS. */
const DEFAULT_BATCH_ROWS = 512;

/** The whole file on this thread, as one stream. */
export async function scoreSequentially(head: Head, options: ScoreCsvOptions): Promise<ScoreSummary> {
  const { output, model, includeInput = false } = options;
  const source = await openCsvAfterHead(head);
  const layout = planColumns(source.headers, model);
  await write(output, headerLine(source.headers, includeInput));
  if (options.errors) await write(options.errors, ERROR_REPORT_HEADER);
  const summary = (await scoreRecords(source, layout, { ...options, includeInput, positions: ABSOLUTE_POSITIONS })).build();
  // The report is whole before the verdict: a job failed on too many bad rows still has it.
  if (options.errors) await endOutput(options.errors);
  assertFewBadRows(summary, options.maxBadRowShare);
  await endOutput(output);
  return summary;
}

/**
 * Scores one piece of a file on a worker thread: `piece` holds whole records, read after the file's
 * `header` record. Returns the output lines (no header), the piece's summary and csv-parse's line
 * count; positions in messages are placeholders (csv/positions.ts) and no file-level verdict on bad
 * rows is made.
 */
export async function scorePiece(header: Buffer, piece: Buffer, model: ChurnModel, includeInput: boolean): Promise<{ text: string; errors: string; summary: ScoreSummary; lines: number }> {
  const source = await openCsv(Readable.from([header, piece]), RELATIVE_POSITIONS);
  const layout = planColumns(source.headers, model);
  const output = textSink();
  const errors = textSink();
  const summary = await scoreRecords(source, layout, { output: output.stream, errors: errors.stream, model, includeInput, positions: RELATIVE_POSITIONS, batchSize: undefined });
  return { text: output.text(), errors: errors.text(), summary: summary.build(), lines: source.lines() };
}

function textSink(): { stream: Writable; text(): string } {
  const parts: string[] = [];
  const stream = new Writable({ decodeStrings: false, write: (chunk: string, _encoding, done) => { parts.push(chunk); done(); } });
  return { stream, text: () => parts.join("") };
}

interface RecordsOptions extends Pick<ScoreCsvOptions, "output" | "errors" | "model" | "signal" | "onProgress" | "totalBytes" | "batchSize"> {
  includeInput: boolean;
  positions: Positions;
}

async function scoreRecords(source: CsvSource, layout: Layout, options: RecordsOptions): Promise<SummaryBuilder> {
  const { model, signal, onProgress } = options;
  const summary = new SummaryBuilder(model.version, customerIdsOf(layout));
  let pending: Promise<ScoredBatch> | undefined;
  // Counted at reading, not from the summary: the batch before this one is still being scored.
  let rowsRead = 0;
  for (;;) {
    throwIfAborted(signal);
    const batch = await readBatch(source, layout, options.batchSize ?? DEFAULT_BATCH_ROWS, rowsRead);
    rowsRead += batch.rows;
    const next = batch.rows > 0 ? scoreBatch(model, batch) : undefined;
    if (pending) await emit(await pending, { ...options, layout, summary });
    onProgress?.({ rowsProcessed: summary.rowsScored + summary.rowsFailed, rowsFailed: summary.rowsFailed, bytesRead: source.bytesRead(), totalBytes: options.totalBytes });
    pending = next;
    if (!next) return summary;
  }
}

/** Where each model input and the customer id sit in the file's records. */
interface Layout {
  idIndex: number;
  names: string[];
  inputIndexes: number[];
  numeric: boolean[];
  width: number;
}

/** -1 for `Layout.idIndex`: the file has no customer id column, so each row's id is its 1-based row number. */
export const NO_ID_COLUMN = -1;

export function planColumns(headers: string[], model: ChurnModel): Layout {
  const resolved = resolveColumns(headers, model.inputs.map((i) => i.name));
  return {
    idIndex: findColumn(headers, CUSTOMER_ID) ?? NO_ID_COLUMN,
    names: model.inputs.map((i) => i.name),
    inputIndexes: model.inputs.map((i) => resolved.get(i.name)!),
    numeric: model.inputs.map((i) => i.kind === "number"),
    width: headers.length,
  };
}

export function customerIdsOf(layout: Layout): CustomerIds {
  return layout.idIndex === NO_ID_COLUMN ? "row_number" : "column";
}

/** Up to `size` records: every record kept for output, valid ones also as typed model columns. */
interface Batch {
  records: string[][];
  /** Per record: null when valid, else why the row cannot be scored. */
  errors: (string | null)[];
  /** Per input: Float32Array (NaN = blank) or strings, over valid rows only. */
  columns: (Float32Array | string[])[];
  rows: number;
  firstRow: number;
}

async function readBatch(source: CsvSource, layout: Layout, size: number, rowsBefore: number): Promise<Batch> {
  const records: string[][] = [];
  const errors: (string | null)[] = [];
  const columns = layout.numeric.map((numeric) => (numeric ? new Float32Array(size) : new Array<string>(size)));
  let valid = 0;
  while (records.length < size) {
    const next = await source.records.next();
    if (next.done) break;
    const record = next.value;
    const error = rowError(record, layout, columns, valid, source.delimiter);
    if (error === null) valid++;
    records.push(record);
    errors.push(error);
  }
  const trimmed = columns.map((c) => (c instanceof Float32Array ? c.subarray(0, valid) : c.slice(0, valid)));
  return { records, errors, columns: trimmed, rows: records.length, firstRow: rowsBefore + 1 };
}

function rowError(record: string[], layout: Layout, columns: (Float32Array | string[])[], at: number, delimiter: Delimiter): string | null {
  if (isUnreadable(record)) return record.unreadable;
  return record.length === layout.width ? fillRow(record, layout, columns, at) : raggedRow(record, layout.width, delimiter);
}

/** Writes the row's inputs into the typed columns at `at`; returns why it cannot, or null. */
function fillRow(record: string[], layout: Layout, columns: (Float32Array | string[])[], at: number): string | null {
  for (let i = 0; i < layout.inputIndexes.length; i++) {
    const cell = record[layout.inputIndexes[i]!]!;
    const column = columns[i]!;
    if (!layout.numeric[i]) {
      (column as string[])[at] = cell.trim();
      continue;
    }
    const text = cell.trim();
    const value = text === "" ? Number.NaN : Number(text);
    if (text !== "" && Number.isNaN(value)) return `${layout.names[i]} "${truncate(text)}" is not a number`;
    (column as Float32Array)[at] = value;
  }
  return null;
}

function raggedRow(record: string[], expected: number, delimiter: Delimiter): string {
  const found = record.length;
  const fields = `the row has ${found} field${found === 1 ? "" : "s"} but the header has ${expected}`;
  // A file glued from two exports: the row splits into the header's width at another delimiter.
  const line = found < expected ? record.join(delimiter) : "";
  const other = DELIMITERS.find((d) => d !== delimiter && line.split(d).length === expected);
  return other ? `${fields}: the delimiter changes from ${showDelimiter(delimiter)} to ${showDelimiter(other)}` : fields;
}

function showDelimiter(delimiter: Delimiter): string {
  return delimiter === "\t" ? "tab" : `'${delimiter}'`;
}

function truncate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

interface ScoredBatch {
  batch: Batch;
  output: ModelOutput | undefined;
}

async function scoreBatch(model: ChurnModel, batch: Batch): Promise<ScoredBatch> {
  const validRows = batch.errors.length - batch.errors.filter((e) => e !== null).length;
  if (validRows === 0) return { batch, output: undefined };
  const feeds: Record<string, Float32Array | string[]> = {};
  model.inputs.forEach((input, i) => (feeds[input.name] = batch.columns[i]!));
  return { batch, output: await model.run(feeds, validRows) };
}

interface EmitContext extends RecordsOptions {
  layout: Layout;
  summary: SummaryBuilder;
}

async function emit({ batch, output: scores }: ScoredBatch, context: EmitContext): Promise<void> {
  const { model, layout, includeInput, summary, positions } = context;
  const rows: string[][] = [];
  const failures: string[][] = [];
  const width = model.inputs.length;
  let valid = 0;
  batch.records.forEach((record, r) => {
    const id = layout.idIndex === NO_ID_COLUMN ? positions.row(batch.firstRow + r) : (record[layout.idIndex] ?? "").trim();
    let error = batch.errors[r] ?? null;
    const at = error === null ? valid++ : -1;
    const probability = at >= 0 ? scores!.probabilities[at]! : Number.NaN;
    // A bring-your-own model that does not impute turns a blank numeric into NaN: a failed row, not "NaN, Low".
    if (error === null && !Number.isFinite(probability)) error = NO_PROBABILITY;
    if (error !== null) {
      const row = positions.row(batch.firstRow + r);
      summary.addFailed({ row: batch.firstRow + r, customerId: ellipsize(id), reason: error });
      failures.push([row, ellipsize(id), error]);
      rows.push(withInput([id, "", "", "", "", model.version, `row ${row}: ${error}`], record, includeInput));
      return;
    }
    const level = riskLevel(probability, model.thresholds);
    const reasons = scores!.contributions ? explainRow(model.inputs, scores!.contributions, at * width, record, layout.inputIndexes) : { risk: [], protective: [] };
    summary.addScored(probability, level);
    if (summary.wouldKeep(probability)) summary.keepTopRisk({ customerId: ellipsize(id), probability, riskLevel: level, riskFactors: reasons.risk, protectiveFactors: reasons.protective });
    rows.push(withInput([id, probability.toFixed(4), level, reasons.risk.join("; "), reasons.protective.join("; "), model.version, ""], record, includeInput));
  });
  await write(context.output, csvLines(rows));
  if (context.errors && failures.length > 0) await write(context.errors, csvLines(failures));
}

const NO_PROBABILITY = "the model returned no probability for this row (a blank or out-of-range value it cannot handle?)";

function withInput(scored: string[], record: string[], includeInput: boolean): string[] {
  return includeInput ? scored.concat(record) : scored;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RetainwiseError("job.aborted", "Scoring was stopped before it finished.", { permanent: false, cause: signal.reason });
}
