import { Readable } from "node:stream";
import { openCsv, type CsvSource, type NumberFormat } from "../csv/index.ts";
import { ABSOLUTE_POSITIONS, RELATIVE_POSITIONS, type Positions } from "../csv/positions.ts";
import { openCsvAfterHead, type Head } from "../csv/reader.ts";
import { RetainwiseError } from "../errors.ts";
import type { ChurnModel, ModelOutput } from "../model/churn-model.ts";
import { Batch, headNumberFormat, planColumns, type Layout } from "./batch.ts";
import { csvField, csvLine, endOutput, headerLine, write } from "./output.ts";
import { ReasonWriter, type Reasons } from "./reasons.ts";
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
  const summary = (await scoreRecords(source, layout, { ...options, includeInput, positions: ABSOLUTE_POSITIONS }, (text) => write(output, text))).build();
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
  let text = "";
  const summary = await scoreRecords(source, layout, { model, includeInput, positions: RELATIVE_POSITIONS }, (lines) => void (text += lines));
  return { text, summary: summary.build(), lines: source.lines() };
}

interface RecordsOptions extends Pick<ScoreCsvOptions, "model" | "signal" | "onProgress" | "totalBytes" | "batchSize"> {
  includeInput: boolean;
  positions: Positions;
}

/** Reads, scores and formats batch after batch; `emit` receives each batch's output lines. */
async function scoreRecords(source: CsvSource, layout: Layout, options: RecordsOptions, emit: (lines: string) => unknown): Promise<SummaryBuilder> {
  const { model, signal, onProgress } = options;
  const summary = new SummaryBuilder(model.version);
  const batch = new Batch(layout, model, options.batchSize ?? DEFAULT_BATCH_ROWS);
  const formatter = new BatchFormatter(layout, options, summary);
  for (let rowsRead = 0; ; rowsRead += batch.records.length) {
    throwIfAborted(signal);
    await source.read(batch.records, batch.size);
    if (batch.records.length === 0) return summary;
    batch.fill(rowsRead + 1);
    const scores = batch.valid > 0 ? await batch.score() : undefined;
    await emit(formatter.format(batch, scores));
    onProgress?.({ rowsProcessed: summary.rowsScored + summary.rowsFailed, rowsFailed: summary.rowsFailed, bytesRead: source.bytesRead(), totalBytes: options.totalBytes });
  }
}

/** Turns a scored batch into output lines and adds it to the summary. */
class BatchFormatter {
  private readonly version: string;
  private readonly reasons: ReasonWriter | undefined;

  constructor(private readonly layout: Layout, private readonly options: RecordsOptions, private readonly summary: SummaryBuilder) {
    const { model } = options;
    this.version = csvField(model.version);
    const cells = model.factors.map((factor) => ({ parts: factor.inputs.map((i) => ({ label: model.inputs[i]!.label, column: layout.inputIndexes[i]! })) }));
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

  private scoredLine(record: string[], row: number, at: number, scores: ModelOutput): string {
    const { model } = this.options;
    const probability = scores.probabilities[at]!;
    // A bring-your-own model that does not impute turns a blank numeric into NaN: a failed row, not "NaN, Low".
    if (!Number.isFinite(probability)) return this.failedLine(record, row, NO_PROBABILITY);
    const id = (record[this.layout.idIndex] ?? "").trim();
    const level = riskLevel(probability, model.thresholds);
    const { reasons } = this;
    if (reasons && scores.contributions) reasons.explain(scores.contributions, at * model.factors.length, record);
    const explained = reasons !== undefined && scores.contributions !== undefined;
    this.summary.addScored(probability, level);
    if (this.summary.wouldKeep(probability)) {
      const { risk, protective } = explained ? reasons.lists() : NO_REASONS;
      this.summary.keepTopRisk({ customerId: id, probability, riskLevel: level, riskFactors: risk, protectiveFactors: protective });
    }
    const factors = explained ? reasons.riskField() + "," + reasons.protectiveField() : ",";
    return csvField(id) + "," + probability.toFixed(4) + "," + level + "," + factors + "," + this.version + ",";
  }

  private failedLine(record: string[], row: number, error: string): string {
    this.summary.addFailed({ row, reason: error });
    const id = (record[this.layout.idIndex] ?? "").trim();
    return csvField(id) + ",,,,," + this.version + "," + csvField(`row ${this.options.positions.row(row)}: ${error}`);
  }
}

const NO_PROBABILITY = "the model returned no probability for this row (a blank or out-of-range value it cannot handle?)";
const NO_REASONS: Reasons = { risk: [], protective: [] };

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RetainwiseError("job.aborted", "Scoring was stopped before it finished.", { permanent: false, cause: signal.reason });
}
