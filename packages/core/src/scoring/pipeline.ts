import { Readable } from "node:stream";
import { openCsv, parseNumber, type CsvSource, type NumberFormat } from "../csv/index.ts";
import { ABSOLUTE_POSITIONS, RELATIVE_POSITIONS, type Positions } from "../csv/positions.ts";
import { openCsvAfterHead, type Head } from "../csv/reader.ts";
import { ellipsize } from "../bounded-text.ts";
import { RetainwiseError } from "../errors.ts";
import type { ChurnModel, Factor, ModelOutput } from "../model/churn-model.ts";
import { Batch, customerIdsOf, headNumberFormat, NO_ID_COLUMN, planColumns, type Layout } from "./batch.ts";
import { ERROR_REPORT_HEADER } from "./error-report.ts";
import { csvField, csvLine, endOutput, headerLine, write } from "./output.ts";
import { ReasonWriter, type FactorCells, type Reasons } from "./reasons.ts";
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
  const { errors } = options;
  if (errors) await write(errors, ERROR_REPORT_HEADER);
  const sinks = { lines: (text: string) => write(output, text), errors: errors && ((text: string) => write(errors, text)) };
  const summary = (await scoreRecords(source, layout, { ...options, includeInput, positions: ABSOLUTE_POSITIONS }, sinks)).build();
  // The report is whole before the verdict: a job failed on too many bad rows still has it.
  if (errors) await endOutput(errors);
  assertFewBadRows(summary, options.maxBadRowShare);
  await endOutput(output);
  return summary;
}

/**
 * Scores one piece of a file on a worker thread: `piece` holds whole records, read after the file's
 * `header` record. Returns the output lines (no header), its error-report lines, the piece's summary and csv-parse's line
 * count; positions in messages are placeholders (csv/positions.ts) and no file-level verdict on bad
 * rows is made.
 */
export async function scorePiece(header: Buffer, piece: Buffer, model: ChurnModel, includeInput: boolean, numberFormat: NumberFormat): Promise<{ text: string; errors: string; summary: ScoreSummary; lines: number }> {
  const source = await openCsv(Readable.from([header, piece]), RELATIVE_POSITIONS);
  const layout = planColumns(source.headers, model, numberFormat);
  let text = "";
  let errors = "";
  const sinks = { lines: (lines: string) => void (text += lines), errors: (lines: string) => void (errors += lines) };
  const summary = await scoreRecords(source, layout, { model, includeInput, positions: RELATIVE_POSITIONS }, sinks);
  return { text, errors, summary: summary.build(), lines: source.lines() };
}

interface RecordsOptions extends Pick<ScoreCsvOptions, "model" | "signal" | "onProgress" | "totalBytes" | "batchSize"> {
  includeInput: boolean;
  positions: Positions;
}

/** Where a batch's text goes: its output lines, and (when asked for) its error-report lines. */
interface Sinks {
  lines: (text: string) => unknown;
  errors: ((text: string) => unknown) | undefined;
}

/** Reads, scores and formats batch after batch into the sinks. */
async function scoreRecords(source: CsvSource, layout: Layout, options: RecordsOptions, sinks: Sinks): Promise<SummaryBuilder> {
  const { model, signal, onProgress } = options;
  const summary = new SummaryBuilder(model.version, customerIdsOf(layout));
  const batch = new Batch(layout, model, options.batchSize ?? DEFAULT_BATCH_ROWS, source.delimiter);
  const formatter = new BatchFormatter(layout, options, summary);
  for (let rowsRead = 0; ; rowsRead += batch.records.length) {
    throwIfAborted(signal);
    await source.read(batch.records, batch.size);
    if (batch.records.length === 0) return summary;
    batch.fill(rowsRead + 1);
    const scores = batch.valid > 0 ? await batch.score() : undefined;
    await sinks.lines(formatter.format(batch, scores));
    const failures = formatter.takeFailures();
    if (sinks.errors && failures !== "") await sinks.errors(failures);
    onProgress?.({ rowsProcessed: summary.rowsScored + summary.rowsFailed, rowsFailed: summary.rowsFailed, bytesRead: source.bytesRead(), totalBytes: options.totalBytes });
  }
}

/** Where a factor's cells are in this file; a subject adding up several numbers reads them in the file's number format. */
function factorCells(factor: Factor, model: ChurnModel, layout: Layout): FactorCells {
  if (!factor.subjects) return { parts: factor.inputs.map((i) => ({ label: model.inputs[i]!.label, column: layout.inputIndexes[i]! })) };
  const read = (cell: string) => parseNumber(cell, layout.numberFormat) ?? Number.NaN;
  return {
    parts: factor.subjects.map((s) =>
      s.sumOf.length === 1 ? { label: s.label, column: layout.inputIndexes[s.sumOf[0]!]! } : { label: s.label, column: layout.inputIndexes[s.sumOf[0]!]!, sumOf: { columns: s.sumOf.map((i) => layout.inputIndexes[i]!), read } },
    ),
  };
}

/** Turns a scored batch into output lines and adds it to the summary. */
class BatchFormatter {
  private readonly version: string;
  private readonly reasons: ReasonWriter | undefined;
  /** Error-report lines (`row,customer_id,error`) of the rows failed since the last `takeFailures`. */
  private failures = "";

  constructor(private readonly layout: Layout, private readonly options: RecordsOptions, private readonly summary: SummaryBuilder) {
    const { model } = options;
    this.version = csvField(model.version);
    const cells = model.factors.map((factor) => factorCells(factor, model, layout));
    this.reasons = model.hasContributions ? new ReasonWriter(cells) : undefined;
  }

  format(batch: Batch, scores: ModelOutput | undefined): string {
    const { records, errors, firstRow } = batch;
    let text = "";
    let valid = 0;
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const error = errors[r]!;
      const line = error === null ? this.scoredLine(record, firstRow + r, valid++, scores!) : this.failedLine(record, firstRow + r, error);
      text += this.options.includeInput ? line + "," + csvLine(record) : line + "\n";
    }
    return text;
  }

  takeFailures(): string {
    const failures = this.failures;
    this.failures = "";
    return failures;
  }

  /** The customer id as written: the id cell, or the row number when the file has no id column. */
  private idOf(record: readonly string[], row: number): string {
    const { idIndex } = this.layout;
    return idIndex === NO_ID_COLUMN ? this.options.positions.row(row) : (record[idIndex] ?? "").trim();
  }

  private scoredLine(record: string[], row: number, at: number, scores: ModelOutput): string {
    const { model } = this.options;
    const probability = scores.probabilities[at]!;
    // A bring-your-own model that does not impute turns a blank numeric into NaN: a failed row, not "NaN, Low".
    if (!Number.isFinite(probability)) return this.failedLine(record, row, NO_PROBABILITY);
    const id = this.idOf(record, row);
    const level = riskLevel(probability, model.thresholds);
    const { reasons } = this;
    if (reasons && scores.contributions) reasons.explain(scores.contributions, at * model.factors.length, record);
    const explained = reasons !== undefined && scores.contributions !== undefined;
    this.summary.addScored(probability, level);
    if (this.summary.wouldKeep(probability)) {
      const { risk, protective } = explained ? reasons.lists() : NO_REASONS;
      this.summary.keepTopRisk({ customerId: ellipsize(id), probability, riskLevel: level, riskFactors: risk, protectiveFactors: protective });
    }
    const factors = explained ? reasons.riskField() + "," + reasons.protectiveField() : ",";
    return csvField(id) + "," + probability.toFixed(4) + "," + level + "," + factors + "," + this.version + ",";
  }

  private failedLine(record: string[], row: number, error: string): string {
    const id = this.idOf(record, row);
    const shown = this.options.positions.row(row);
    this.summary.addFailed({ row, customerId: ellipsize(id), reason: error });
    this.failures += shown + "," + csvField(ellipsize(id)) + "," + csvField(error) + "\n";
    return csvField(id) + ",,,,," + this.version + "," + csvField(`row ${shown}: ${error}`);
  }
}

const NO_PROBABILITY = "the model returned no probability for this row (a blank or out-of-range value it cannot handle?)";
const NO_REASONS: Reasons = { risk: [], protective: [] };

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RetainwiseError("job.aborted", "Scoring was stopped before it finished.", { permanent: false, cause: signal.reason });
}
