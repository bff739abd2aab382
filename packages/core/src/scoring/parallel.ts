import { Readable } from "node:stream";
import { openCsv } from "../csv/index.ts";
import { resolvePositions } from "../csv/positions.ts";
import type { Head } from "../csv/reader.ts";
import { firstRecordEnd } from "../csv/records.ts";
import { sniffCsv } from "../csv/sniff.ts";
import { RetainwiseError, type ErrorCode } from "../errors.ts";
import { customerIdsOf, headNumberFormat, planColumns } from "./batch.ts";
import { planChallenger } from "./challenger.ts";
import { ERROR_REPORT_HEADER } from "./error-report.ts";
import { endOutput, headerLine, write } from "./output.ts";
import { PartScorer, type ScoredPart } from "./pipeline.ts";
import type { ScoreCsvOptions, ScoreProgress } from "./score-csv.ts";
import { SCORING_THREAD, type ThreadData } from "./scoring-thread.ts";
import { assertFewBadRows, SummaryBuilder } from "./summary.ts";
import type { ScoreSummary } from "./summary-types.ts";

/**
 * Scoring a large file on several threads. onnxruntime-node runs `session.run` on the calling
 * thread and csv-parse is single-threaded, so one thread is the ceiling of a single stream. The file
 * after its header record is scored in parts, each on its own (`PartScorer`), and joined here in
 * file order: contiguous ranges of a file on disk, each read and written apart (ranges.ts); a
 * stream (an object store's) is copied to a temporary file first (spool.ts).
 *
 * A part does not know its place in the file, so its messages carry placeholders for row, line and
 * byte positions (csv/positions.ts), resolved once the parts before it are counted (`PartsInOrder`).
 * A file-level error in a part wins only once every earlier part is written, as it would in one
 * stream.
 */

/** Below this a file is scored on the calling thread: starting threads (~0.3 s each) would cost more than they save. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

export interface ParallelPlan {
  /** Where the header record ends: every part starts after these bytes. */
  headerEnd: number;
  delimiter: number;
}

/** How to cut the file, when it is worth cutting; else undefined. */
export function parallelPlan(head: Head, options: ScoreCsvOptions): ParallelPlan | undefined {
  const threads = options.threads ?? 1;
  if (threads < 2 || options.workerEntry === undefined) return undefined;
  if ((options.totalBytes ?? Number.POSITIVE_INFINITY) < PARALLEL_MIN_BYTES) return undefined;
  return partsPlan(head);
}

/** Where a file's parts start (after its header record) and its delimiter; undefined when the head holds the whole file or no whole header. */
export function partsPlan(head: Head): ParallelPlan | undefined {
  if (head.complete) return undefined;
  const delimiter = sniffCsv(head.head, false).delimiter.charCodeAt(0);
  const headerEnd = firstRecordEnd(head.head, delimiter);
  return headerEnd > 0 ? { headerEnd, delimiter } : undefined;
}

/** What scoring a file in parts needs: a scorer for this thread, what a scoring thread is started with, and the parts' join. */
export interface PartsSetup {
  here: PartScorer;
  threadData: ThreadData;
  order: PartsInOrder;
  /** The output's header line. */
  headerLine: string;
}

/** Reads the header record, checks the model's (and challenger's) columns against it, and writes the output's and error report's headers. */
export async function startParts(head: Head, plan: ParallelPlan, options: ScoreCsvOptions): Promise<PartsSetup> {
  const setup = await prepareParts(head, plan, options);
  await write(options.output, setup.headerLine);
  if (options.errors) await write(options.errors, ERROR_REPORT_HEADER);
  return setup;
}

/** `startParts` without writing anything: for a shard after the first, and the merge of shards. */
export async function prepareParts(
  head: Head,
  plan: ParallelPlan,
  options: Omit<ScoreCsvOptions, "input" | "output">,
): Promise<PartsSetup> {
  const { model, includeInput = false, challenger, drift } = options;
  const header = head.head.subarray(0, plan.headerEnd);
  const headerOnly = await openCsv(Readable.from([header]));
  const { headers, delimiter } = headerOnly;
  const numberFormat = headNumberFormat(head, headerOnly, model);
  const layout = planColumns(headers, model, numberFormat, options.idColumn);
  await headerOnly.read([], Number.POSITIVE_INFINITY);
  // The challenger's columns are checked here, before any thread starts: a file it cannot read fails at once.
  const second = challenger && {
    model: challenger.source,
    version: challenger.version,
    numberFormat: planChallenger(head, headerOnly, challenger).numberFormat,
  };
  const settings = {
    headers,
    delimiter,
    includeInput,
    numberFormat,
    countDrift: drift !== undefined,
    scores: options.scores !== undefined,
    ...(options.actionable ? { actionable: options.actionable } : {}),
    ...(options.idColumn !== undefined ? { idColumn: options.idColumn } : {}),
  };
  const here = new PartScorer(headers, delimiter, model, {
    ...settings,
    ...(challenger && second ? { challenger: { model: challenger, numberFormat: second.numberFormat } } : {}),
  });
  const threadData: ThreadData = {
    [SCORING_THREAD]: true,
    ...settings,
    model: model.source,
    version: model.version,
    ...(second ? { challenger: second } : {}),
  };
  // A part counts csv-parse's lines from 1 (the line it starts on): before the first are the header's.
  const order = new PartsInOrder(
    new SummaryBuilder(model.version, customerIdsOf(layout)),
    { rows: 0, lines: headerOnly.lines() - 1, bytes: plan.headerEnd },
    options,
  );
  return { here, threadData, order, headerLine: headerLine(headers, includeInput, challenger !== undefined) };
}

/** Ends the error report and the output once every part is in; a file with too many bad rows fails after its report is whole. */
export async function finishParts(order: PartsInOrder, options: ScoreCsvOptions): Promise<ScoreSummary> {
  const summary = order.summary.build();
  if (options.errors) await endOutput(options.errors);
  assertFewBadRows(summary, options.maxBadRowShare);
  if (options.scores) await endOutput(options.scores);
  await endOutput(options.output);
  return summary;
}

/** The file's parts joined in file order: where the next one starts, and the summary and drift counts of those before it. */
export class PartsInOrder {
  constructor(
    readonly summary: SummaryBuilder,
    readonly before: { rows: number; lines: number; bytes: number },
    private readonly options: Pick<ScoreCsvOptions, "drift" | "onProgress" | "totalBytes">,
  ) {}

  /** A text of the next part with its positions made file-wide. */
  resolve(text: string): string {
    return resolvePositions(text, this.before);
  }

  /** Lines of the next part as UTF-8, positions made file-wide: the bytes themselves when they hold none. */
  resolveBytes(bytes: Uint8Array): Uint8Array | string {
    // NUL marks a placeholder and occurs nowhere else (positions.ts): a native scan spares decoding lines that hold none.
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return view.indexOf(0) === -1 ? bytes : this.resolve(view.toString());
  }

  /** The next part's file-level error, positions made file-wide. */
  failure(error: { code: ErrorCode; message: string }): RetainwiseError {
    return new RetainwiseError(error.code, this.resolve(error.message));
  }

  /** Adds the next part, `bytes` long, once its lines are written. */
  absorb(part: ScoredPart, bytes: number): void {
    const { summary, before } = this;
    summary.absorb(part.summary, before);
    if (part.drift) this.options.drift?.merge(part.drift);
    before.rows += part.summary.rowsScored + part.summary.rowsFailed;
    before.lines += part.lines - 1;
    before.bytes += bytes;
    this.progress({ rowsProcessed: before.rows, rowsFailed: summary.rowsFailed, bytesRead: before.bytes });
  }

  progress(done: Omit<ScoreProgress, "totalBytes">): void {
    this.options.onProgress?.({ ...done, totalBytes: this.options.totalBytes });
  }
}
