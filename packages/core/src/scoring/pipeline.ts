import type { Delimiter, NumberFormat } from "../csv/index.ts";
import { ABSOLUTE_POSITIONS, RELATIVE_POSITIONS, type Positions } from "../csv/positions.ts";
import {
  openCsvAfterHead,
  openFileRange,
  openRange,
  type FileRange,
  type Head,
  type RecordSource,
} from "../csv/reader.ts";
import { ellipsize } from "../bounded-text.ts";
import { RetainwiseError } from "../errors.ts";
import { isTermTablesCard } from "../model/card.ts";
import type { ChurnModel, ModelOutput } from "../model/churn-model.ts";
import { driftCounterFor, type BinCounter, type BinCounts } from "../outcomes/drift.ts";
import { Batch, customerIdsOf, headNumberFormat, NO_ID_COLUMN, planColumns, type Layout } from "./batch.ts";
import type { BatchObserver } from "./batch-observer.ts";
import { ChallengerScorer, challengerLayout, planChallenger } from "./challenger.ts";
import { ERROR_REPORT_HEADER } from "./error-report.ts";
import { csvField, csvLine, endOutput, headerLine, write } from "./output.ts";
import { factorCells } from "./reason-subjects.ts";
import { ReasonWriter, type Reasons } from "./reasons.ts";
import { actionableInputs, RetentionAdvisor } from "./retention.ts";
import { riskLevel } from "./risk.ts";
import { assertFewBadRows, SummaryBuilder } from "./summary.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";
import type { ScoreSummary } from "./summary-types.ts";

/** Rows per `session.run`: measured faster than 4096 (records die young instead of being promoted) and ~40 MB less RSS. */
const DEFAULT_BATCH_ROWS = 512;

/** The whole file on this thread, as one stream. */
export async function scoreSequentially(head: Head, options: ScoreCsvOptions): Promise<ScoreSummary> {
  const { output, model, includeInput = false, challenger } = options;
  const source = await openCsvAfterHead(head);
  const layout = planColumns(source.headers, model, headNumberFormat(head, source, model), options.idColumn);
  const challengerPlan = challenger && { model: challenger, layout: planChallenger(head, source, challenger).layout };
  await write(output, headerLine(source.headers, includeInput, challenger !== undefined));
  const { errors } = options;
  if (errors) await write(errors, ERROR_REPORT_HEADER);
  const { scores } = options;
  const sinks = {
    lines: (text: string) => write(output, text),
    errors: errors && ((text: string) => write(errors, text)),
    scores: scores && ((text: string) => write(scores, text)),
  };
  const scorer = new RecordScorer(
    layout,
    {
      model,
      includeInput,
      scores: scores !== undefined,
      actionable: options.actionable,
      positions: ABSOLUTE_POSITIONS,
      batchSize: options.batchSize,
      observer: options.drift,
      challenger: challengerPlan,
    },
    source.delimiter,
  );
  const summary = (await scorer.score(source, sinks, options)).build();
  // The report is whole before the verdict: a job failed on too many bad rows still has it.
  if (errors) await endOutput(errors);
  assertFewBadRows(summary, options.maxBadRowShare);
  if (scores) await endOutput(scores);
  await endOutput(output);
  return summary;
}

/** A part of a file scored: its summary, how many lines csv-parse counted in it, and its drift counts when asked for (merged in file order by the main thread). */
export interface ScoredPart {
  summary: ScoreSummary;
  lines: number;
  drift?: BinCounts;
}

/**
 * Scores the parts of one file after its header, one after another: ranges of the file on disk
 * (ranges.ts), on the main thread or a worker thread, and shards read from the object store
 * (shards.ts). The batch buffers and the reasons' sentences are built once for every part.
 * Positions in messages are placeholders (csv/positions.ts), resolved once the parts before are
 * counted, and no file-level verdict on bad rows is made.
 */
export class PartScorer {
  private readonly scorer: RecordScorer;
  private readonly drift: BinCounter | undefined;

  /** `challenger`: the second model and the file's number format for its columns; `countDrift`: count each part's codes (returned with it). */
  constructor(
    headers: string[],
    private readonly delimiter: Delimiter,
    model: ChurnModel,
    options: PartOptions,
  ) {
    const { includeInput, numberFormat, challenger, idColumn } = options;
    this.drift = options.countDrift ? driftCounterFor(model.card) : undefined;
    const challengerPlan = challenger && {
      model: challenger.model,
      layout: challengerLayout(headers, challenger.model, challenger.numberFormat),
    };
    this.scorer = new RecordScorer(
      planColumns(headers, model, numberFormat, idColumn),
      {
        model,
        includeInput,
        scores: options.scores ?? false,
        actionable: options.actionable,
        positions: RELATIVE_POSITIONS,
        observer: this.drift,
        challenger: challengerPlan,
      },
      delimiter,
    );
  }

  /** Streams a range's lines, error-report lines and scores lines into `sinks` as they are scored. */
  scoreRange(
    range: FileRange,
    sinks: Sinks,
    options: Pick<ScoreCsvOptions, "signal" | "onProgress">,
  ): Promise<ScoredPart> {
    return this.scoreRecords(openFileRange(range, this.delimiter, RELATIVE_POSITIONS), sinks, options);
  }

  /** Streams the lines of a range of whole records read from anywhere (a shard's ranged GET) into `sinks`. */
  scoreStream(
    chunks: AsyncIterable<Buffer>,
    sinks: Sinks,
    options: Pick<ScoreCsvOptions, "signal" | "onProgress">,
  ): Promise<ScoredPart> {
    return this.scoreRecords(openRange(chunks, this.delimiter, RELATIVE_POSITIONS), sinks, options);
  }

  private async scoreRecords(
    source: RecordSource,
    sinks: Sinks,
    options: Pick<ScoreCsvOptions, "signal" | "onProgress">,
  ): Promise<ScoredPart> {
    const summary = await this.scorer.score(source, sinks, options);
    return { summary: summary.build(), lines: source.lines(), ...(this.drift ? { drift: this.drift.drain() } : {}) };
  }
}

export interface PartOptions {
  includeInput: boolean;
  /** `ScoreCsvOptions.idColumn`. */
  idColumn?: string;
  numberFormat: NumberFormat;
  challenger?: { model: ChurnModel; numberFormat: NumberFormat };
  countDrift?: boolean;
  /** Build the scores lines too (`ScoreCsvOptions.scores`). */
  scores?: boolean;
  /** `ScoreCsvOptions.actionable`. */
  actionable?: readonly string[] | undefined;
}

interface ScorerOptions extends Pick<ScoreCsvOptions, "model" | "batchSize"> {
  includeInput: boolean;
  /** Build the scores lines (`ScoreCsvOptions.scores`). */
  scores: boolean;
  actionable?: readonly string[] | undefined;
  positions: Positions;
  /** Sees each scored batch (drift counting). */
  observer?: BatchObserver;
  challenger?: { model: ChurnModel; layout: Layout };
}

/** Where a batch's text goes: its output lines, and (when asked for) its error-report and scores lines. */
export interface Sinks {
  lines: (text: string) => unknown;
  errors: ((text: string) => unknown) | undefined;
  scores?: ((text: string) => unknown) | undefined;
}

/**
 * Reads, scores and formats records batch after batch. Built once per file, or once per thread for
 * all its ranges: the batch's buffers and the reasons' sentences outlive each stream of records.
 */
class RecordScorer {
  private readonly batch: Batch;
  private readonly formatter: BatchFormatter;
  private readonly observer: BatchObserver | undefined;
  private readonly challenger: ChallengerScorer | undefined;

  constructor(
    private readonly layout: Layout,
    options: ScorerOptions,
    delimiter: Delimiter,
  ) {
    const size = options.batchSize ?? DEFAULT_BATCH_ROWS;
    this.batch = new Batch(layout, options.model, size, delimiter);
    this.formatter = new BatchFormatter(layout, options);
    this.observer = options.observer;
    this.challenger =
      options.challenger && new ChallengerScorer(options.challenger.layout, options.challenger.model, size, delimiter);
  }

  async score(
    source: RecordSource,
    sinks: Sinks,
    options: Pick<ScoreCsvOptions, "signal" | "onProgress" | "totalBytes">,
  ): Promise<SummaryBuilder> {
    const { signal, onProgress } = options;
    const { batch, formatter } = this;
    const summary = new SummaryBuilder(formatter.modelVersion, customerIdsOf(this.layout));
    for (let rowsRead = 0; ; rowsRead += batch.records.length) {
      throwIfAborted(signal);
      await source.read(batch.records, batch.size);
      if (batch.records.length === 0) return summary;
      batch.fill(rowsRead + 1);
      // The one place where a batch's model inputs (`batch`) and outputs (`scores`) are both at hand.
      const scores = batch.valid > 0 ? await batch.score() : undefined;
      if (scores)
        this.observer?.observe({ features: batch.features(), rows: batch.valid, probabilities: scores.probabilities });
      const challenger = this.challenger && (await this.challenger.score(batch.records, batch.firstRow));
      await sinks.lines(formatter.format(batch, scores, summary, challenger));
      const failures = formatter.takeFailures();
      if (sinks.errors && failures !== "") await sinks.errors(failures);
      const scored = formatter.takeScores();
      if (sinks.scores && scored !== "") await sinks.scores(scored);
      onProgress?.({
        rowsProcessed: summary.rowsScored + summary.rowsFailed,
        rowsFailed: summary.rowsFailed,
        bytesRead: source.bytesRead(),
        totalBytes: options.totalBytes,
      });
    }
  }
}

/** Turns a scored batch into output lines and adds it to the summary. */
class BatchFormatter {
  readonly modelVersion: string;
  private readonly version: string;
  private readonly reasons: ReasonWriter | undefined;
  /** `retention_action` (retention.ts): a term-tables model with actionable columns only. */
  private readonly retention: RetentionAdvisor | undefined;
  /** The features of the batch being formatted, row-major [valid, inputs] (for `retention`). */
  private features: Float32Array | undefined;
  /** Error-report lines (`row,customer_id,error`) of the rows failed since the last `takeFailures`. */
  private failures = "";
  /** Scores lines (`ScoreCsvOptions.scores`) of the rows scored since the last `takeScores`. */
  private scoreLines = "";

  constructor(
    private readonly layout: Layout,
    private readonly options: ScorerOptions,
  ) {
    const { model } = options;
    this.modelVersion = model.version;
    this.version = csvField(model.version);
    const cells = model.factors.map((factor) => factorCells(factor, model, layout));
    this.reasons = model.hasContributions ? new ReasonWriter(cells) : undefined;
    const actionable = actionableInputs(model.card, options.actionable ?? []);
    this.retention =
      actionable.length > 0 && isTermTablesCard(model.card)
        ? new RetentionAdvisor(model.card, actionable, layout.numberFormat.decimal)
        : undefined;
  }

  /** `challenger`: per record, the challenger's probability cell (champion / challenger only). */
  format(
    batch: Batch,
    scores: ModelOutput | undefined,
    summary: SummaryBuilder,
    challenger?: readonly string[],
  ): string {
    const { records, errors, firstRow } = batch;
    this.features = this.retention ? batch.features() : undefined;
    let text = "";
    let valid = 0;
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const error = errors[r]!;
      // A row the champion could not score has no challenger probability either: the champion decides.
      const extra = challenger ? (error === null ? "," + challenger[r]! : ",") : "";
      const line =
        error === null
          ? this.scoredLine(record, firstRow + r, valid++, scores!, summary, extra)
          : this.failedLine(record, firstRow + r, error, summary, extra);
      text += this.options.includeInput ? line + "," + csvLine(record) : line + "\n";
    }
    return text;
  }

  takeFailures(): string {
    const failures = this.failures;
    this.failures = "";
    return failures;
  }

  takeScores(): string {
    const lines = this.scoreLines;
    this.scoreLines = "";
    return lines;
  }

  /** The customer id as written: the id cell, or the row number when the file has no id column. */
  private idOf(record: readonly string[], row: number): string {
    const { idIndex } = this.layout;
    return idIndex === NO_ID_COLUMN ? this.options.positions.row(row) : (record[idIndex] ?? "").trim();
  }

  /**
   * The id as a JSON string. A row number on a thread is a position placeholder (csv/positions.ts),
   * resolved in the text once the part's place in the file is known: it is written raw, as JSON would
   * escape its NULs out of the resolver's reach. Resolved, it is digits.
   */
  private idJson(id: string): string {
    return this.layout.idIndex === NO_ID_COLUMN ? '"' + id + '"' : JSON.stringify(id);
  }

  /** `extra`: the challenger's cell with its leading comma, or "" without a challenger. */
  private scoredLine(
    record: string[],
    row: number,
    at: number,
    scores: ModelOutput,
    summary: SummaryBuilder,
    extra: string,
  ): string {
    const { model } = this.options;
    const probability = scores.probabilities[at]!;
    // A bring-your-own model that does not impute turns a blank numeric into NaN: a failed row, not "NaN, Low".
    if (!Number.isFinite(probability))
      return this.failedLine(record, row, NO_PROBABILITY, summary, extra === "" ? "" : ",");
    const id = this.idOf(record, row);
    const level = riskLevel(probability, model.thresholds);
    const { reasons } = this;
    if (reasons && scores.contributions) reasons.explain(scores.contributions, at * model.factors.length, record);
    const explained = reasons !== undefined && scores.contributions !== undefined;
    summary.addScored(probability, level);
    if (summary.wouldKeep(probability)) {
      const { risk, protective } = explained ? reasons.lists() : NO_REASONS;
      summary.keepTopRisk({
        customerId: ellipsize(id),
        probability,
        riskLevel: level,
        riskFactors: risk,
        protectiveFactors: protective,
      });
    }
    const factors = explained ? reasons.riskField() + "," + reasons.protectiveField() : ",";
    const written = probability.toFixed(4);
    if (this.options.scores)
      this.scoreLines +=
        "[" + this.idJson(id) + "," + written + "," + (extra === "" || extra === "," ? "null" : extra.slice(1)) + "]\n";
    return (
      csvField(id) +
      "," +
      written +
      extra +
      "," +
      level +
      "," +
      factors +
      "," +
      this.actionOf(record, at, scores) +
      "," +
      this.version +
      ","
    );
  }

  /** The row's `retention_action` as a CSV field ("" without actionable columns). */
  private actionOf(record: readonly string[], at: number, scores: ModelOutput): string {
    const { retention, features } = this;
    if (!retention || !features || !scores.contributions) return "";
    const width = this.layout.inputIndexes.length;
    const { inputIndexes } = this.layout;
    return csvField(
      retention.advise(
        features,
        at * width,
        scores.contributions,
        at * this.options.model.factors.length,
        (i) => record[inputIndexes[i]!] ?? "",
      ),
    );
  }

  private failedLine(record: string[], row: number, error: string, summary: SummaryBuilder, extra: string): string {
    const id = this.idOf(record, row);
    const shown = this.options.positions.row(row);
    summary.addFailed({ row, customerId: ellipsize(id), reason: error });
    this.failures += shown + "," + csvField(ellipsize(id)) + "," + csvField(error) + "\n";
    return csvField(id) + "," + extra + ",,,,," + this.version + "," + csvField(`row ${shown}: ${error}`);
  }
}

const NO_PROBABILITY =
  "the model returned no probability for this row (a blank or out-of-range value it cannot handle?)";
const NO_REASONS: Reasons = { risk: [], protective: [] };

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new RetainwiseError("job.aborted", "Scoring was stopped before it finished.", { cause: signal.reason });
}
