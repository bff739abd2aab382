import { Readable, Writable } from "node:stream";
import { CUSTOMER_ID, detectNumberFormat, headRecords, isUnreadable, numberProblem, openCsv, parseNumber, resolveColumns, type CsvSource, type NumberFormat } from "../csv/index.ts";
import { ABSOLUTE_POSITIONS, RELATIVE_POSITIONS, type Positions } from "../csv/positions.ts";
import { openCsvAfterHead, type Head } from "../csv/reader.ts";
import { RetainwiseError } from "../errors.ts";
import type { ChurnModel, ModelOutput } from "../model/churn-model.ts";
import { csvLines, endOutput, headerLine, write } from "./output.ts";
import { explainRow } from "./reasons.ts";
import { riskLevel } from "./risk.ts";
import { assertFewBadRows, SummaryBuilder } from "./summary.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";
import type { ScoreSummary } from "./summary-types.ts";

/** Rows per `session.run`: measured faster than 4096 (records die young instead of being promoted) and ~40 MB less RSS. */
const DEFAULT_BATCH_ROWS = 512;

/** The whole file on this thread, as one stream. */
export async function scoreSequentially(head: Head, options: ScoreCsvOptions): Promise<ScoreSummary> {
  const { output, model, includeInput = false } = options;
  const source = await openCsvAfterHead(head);
  const layout = planColumns(source.headers, model, headNumberFormat(head, source, model));
  await write(output, headerLine(source.headers, includeInput));
  const summary = (await scoreRecords(source, layout, { ...options, includeInput, positions: ABSOLUTE_POSITIONS })).build();
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
export async function scorePiece(header: Buffer, piece: Buffer, model: ChurnModel, includeInput: boolean, numberFormat: NumberFormat): Promise<{ text: string; summary: ScoreSummary; lines: number }> {
  const source = await openCsv(Readable.from([header, piece]), RELATIVE_POSITIONS);
  const layout = planColumns(source.headers, model, numberFormat);
  const parts: string[] = [];
  const output = new Writable({ decodeStrings: false, write: (chunk: string, _encoding, done) => { parts.push(chunk); done(); } });
  const summary = await scoreRecords(source, layout, { output, model, includeInput, positions: RELATIVE_POSITIONS, batchSize: undefined });
  return { text: parts.join(""), summary: summary.build(), lines: source.lines() };
}

interface RecordsOptions extends Pick<ScoreCsvOptions, "output" | "model" | "signal" | "onProgress" | "totalBytes" | "batchSize"> {
  includeInput: boolean;
  positions: Positions;
}

async function scoreRecords(source: CsvSource, layout: Layout, options: RecordsOptions): Promise<SummaryBuilder> {
  const { model, signal, onProgress } = options;
  const summary = new SummaryBuilder(model.version);
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
  /** How this file writes numbers (decimal comma or point), decided once from its head. */
  numberFormat: NumberFormat;
}

export function planColumns(headers: string[], model: ChurnModel, numberFormat: NumberFormat): Layout {
  const resolved = resolveModelColumns(headers, model);
  return {
    idIndex: resolved.get(CUSTOMER_ID)!,
    names: model.inputs.map((i) => i.name),
    inputIndexes: model.inputs.map((i) => resolved.get(i.name)!),
    numeric: model.inputs.map((i) => i.kind === "number"),
    width: headers.length,
    numberFormat,
  };
}

/** The file's number format, from the cells of the model's numeric inputs in the head of the file. */
export function headNumberFormat(head: Head, source: Pick<CsvSource, "headers" | "delimiter">, model: ChurnModel): NumberFormat {
  const resolved = resolveModelColumns(source.headers, model);
  const numeric = model.inputs.filter((i) => i.kind === "number").map((i) => resolved.get(i.name)!);
  return detectNumberFormat(headRecords(head.head, head.complete, source.delimiter).flatMap((record) => numeric.map((i) => record[i] ?? "")));
}

function resolveModelColumns(headers: string[], model: ChurnModel): Map<string, number> {
  return resolveColumns(headers, [CUSTOMER_ID, ...model.inputs.map((i) => i.name)]);
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
    const error = rowError(record, layout, columns, valid);
    if (error === null) valid++;
    records.push(record);
    errors.push(error);
  }
  const trimmed = columns.map((c) => (c instanceof Float32Array ? c.subarray(0, valid) : c.slice(0, valid)));
  return { records, errors, columns: trimmed, rows: records.length, firstRow: rowsBefore + 1 };
}

function rowError(record: string[], layout: Layout, columns: (Float32Array | string[])[], at: number): string | null {
  if (isUnreadable(record)) return record.unreadable;
  return record.length === layout.width ? fillRow(record, layout, columns, at) : raggedRow(record.length, layout.width);
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
    const value = parseNumber(cell, layout.numberFormat);
    if (value === undefined) return `${layout.names[i]} "${truncate(cell.trim())}" ${numberProblem(cell, layout.numberFormat)}`;
    (column as Float32Array)[at] = value;
  }
  return null;
}

function raggedRow(found: number, expected: number): string {
  return `the row has ${found} field${found === 1 ? "" : "s"} but the header has ${expected}`;
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
  const width = model.factors.length;
  let valid = 0;
  batch.records.forEach((record, r) => {
    const id = (record[layout.idIndex] ?? "").trim();
    let error = batch.errors[r] ?? null;
    const at = error === null ? valid++ : -1;
    const probability = at >= 0 ? scores!.probabilities[at]! : Number.NaN;
    // A bring-your-own model that does not impute turns a blank numeric into NaN: a failed row, not "NaN, Low".
    if (error === null && !Number.isFinite(probability)) error = NO_PROBABILITY;
    if (error !== null) {
      summary.addFailed({ row: batch.firstRow + r, reason: error });
      rows.push(withInput([id, "", "", "", "", model.version, `row ${positions.row(batch.firstRow + r)}: ${error}`], record, includeInput));
      return;
    }
    const level = riskLevel(probability, model.thresholds);
    const reasons = scores!.contributions ? explainRow(model.inputs, model.factors, scores!.contributions, at * width, record, layout.inputIndexes) : { risk: [], protective: [] };
    summary.addScored(probability, level);
    if (summary.wouldKeep(probability)) summary.keepTopRisk({ customerId: id, probability, riskLevel: level, riskFactors: reasons.risk, protectiveFactors: reasons.protective });
    rows.push(withInput([id, probability.toFixed(4), level, reasons.risk.join("; "), reasons.protective.join("; "), model.version, ""], record, includeInput));
  });
  await write(context.output, csvLines(rows));
}

const NO_PROBABILITY = "the model returned no probability for this row (a blank or out-of-range value it cannot handle?)";

function withInput(scored: string[], record: string[], includeInput: boolean): string[] {
  return includeInput ? scored.concat(record) : scored;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RetainwiseError("job.aborted", "Scoring was stopped before it finished.", { permanent: false, cause: signal.reason });
}
