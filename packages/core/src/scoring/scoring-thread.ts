import { createWriteStream } from "node:fs";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { NumberFormat } from "../csv/numbers.ts";
import { isRetainwiseError, type ErrorCode } from "../errors.ts";
import { loadModelFromBytes, type ModelBytes } from "../model/churn-model.ts";
import type { FileRange } from "../csv/reader.ts";
import type { Delimiter } from "../csv/sniff.ts";
import { endOutput, write } from "./output.ts";
import { PartScorer, type ScoredPart } from "./pipeline.ts";

/**
 * The thread side of parallel scoring (parallel.ts): ranges of a file on disk, each scored into
 * files of its own (ranges.ts). The program's entry file
 * starts threads with this marker in their workerData and, seeing it, calls `serveScoringThread()`
 * instead of its command line: one program file serves both, in development (tsx) and in the
 * bundle alike.
 */
export const SCORING_THREAD = "retainwiseScoringThread";

export interface ThreadData {
  [SCORING_THREAD]: true;
  /** The model itself (a thread never reads it from a path: trained models live in the object store). */
  model: ModelBytes;
  /** The model's `model_version`, as the main thread names it. */
  version: string;
  /** The file's header record, which every part is read after. */
  headers: string[];
  delimiter: Delimiter;
  includeInput: boolean;
  /** `ScoreCsvOptions.actionable`. */
  actionable?: readonly string[];
  /** The column named to give customer ids (`ScoreCsvOptions.idColumn`). */
  idColumn?: string;
  /** Decided once from the head of the file: a range alone could decide differently. */
  numberFormat: NumberFormat;
  /** Champion / challenger: the second model, and the file's number format as its columns read it. */
  challenger?: { model: ModelBytes; version: string; numberFormat: NumberFormat };
  /** Count each part's feature codes into the model's bins (drift) and send them back with it. */
  countDrift: boolean;
  /** Write each range's scores lines too (`ScoreCsvOptions.scores`). */
  scores: boolean;
}

/** A range of the file to score, and the files its output lines, error-report lines and scores lines go to. */
export interface RangeTask extends FileRange {
  output: string;
  errors?: string;
  scores?: string;
}

export type ThreadTask = { id: number; range: RangeTask };

/** Rows and bytes of a range done so far: sent now and then while it is scored. */
export interface RangeProgress {
  rows: number;
  failed: number;
  bytes: number;
}

/** A range done: its lines are in its task's files. */
export type RangeReply = ({ id: number } & ScoredPart) | { id: number; error: { code: ErrorCode; message: string } };

/** Progress messages are this far apart at least: a range reports after every batch otherwise. */
const PROGRESS_EVERY_MS = 100;

export function isScoringThread(): boolean {
  return !isMainThread && (workerData as Partial<ThreadData> | null)?.[SCORING_THREAD] === true;
}

/**
 * Loads the model, says `ready` (or `failed`), scores each task it is sent, one at a time, and on
 * `{close}` says `closed` once idle: a running range stops at its next batch, tasks not started
 * are dropped.
 */
export async function serveScoringThread(): Promise<void> {
  const port = parentPort!;
  const {
    model: source,
    version,
    includeInput,
    actionable,
    idColumn,
    numberFormat,
    headers,
    delimiter,
    challenger: second,
    countDrift,
    scores,
  } = workerData as ThreadData;
  const models = await Promise.all([
    loadModelFromBytes(source, { version }),
    second && loadModelFromBytes(second.model, { version: second.version }),
  ]).catch((error: unknown) => {
    port.postMessage({ failed: describeError(error) });
    return undefined;
  });
  if (!models) return;
  const [model, challenger] = models;
  let scorer: PartScorer;
  try {
    scorer = new PartScorer(headers, delimiter, model, {
      includeInput,
      actionable,
      numberFormat,
      countDrift,
      scores,
      ...(idColumn !== undefined ? { idColumn } : {}),
      ...(challenger && second ? { challenger: { model: challenger, numberFormat: second.numberFormat } } : {}),
    });
  } catch (error) {
    port.postMessage({ failed: describeError(error) });
    return;
  }
  // One task at a time: the scorer's batch buffers serve one range.
  let queue = Promise.resolve();
  // Stopping a thread inside onnxruntime's native code aborts the whole process, so a range is stopped between batches instead.
  const closing = new AbortController();
  port.on("message", (message: ThreadTask | { close: true }) => {
    if ("close" in message) {
      closing.abort();
      queue = queue.then(async () => {
        await Promise.all([model.release(), challenger?.release()]);
        port.postMessage({ closed: true });
      });
      return;
    }
    const { id } = message;
    queue = queue.then(async () => {
      if (closing.signal.aborted) return;
      try {
        const report = (progress: RangeProgress) => port.postMessage({ id, progress });
        port.postMessage({
          id,
          ...(await scoreRangeToFiles(scorer, message.range, closing.signal, report)),
        } satisfies RangeReply);
      } catch (error) {
        port.postMessage({ id, error: describeError(error) } satisfies RangeReply);
      }
    });
  });
  port.postMessage({ ready: true });
}

/** Scores a range into its task's files (a thread's ranges, and those this thread claims after its first: ranges.ts). */
export async function scoreRangeToFiles(
  scorer: PartScorer,
  task: RangeTask,
  signal: AbortSignal,
  report: (progress: RangeProgress) => void,
): Promise<ScoredPart> {
  const output = createWriteStream(task.output);
  const errors = task.errors === undefined ? undefined : createWriteStream(task.errors);
  const scores = task.scores === undefined ? undefined : createWriteStream(task.scores);
  let reported = 0;
  try {
    const scored = await scorer.scoreRange(
      task,
      {
        lines: (text) => write(output, text),
        errors: errors && ((text) => write(errors, text)),
        scores: scores && ((text) => write(scores, text)),
      },
      {
        signal,
        onProgress: ({ rowsProcessed, rowsFailed, bytesRead }) => {
          const now = performance.now();
          if (now - reported < PROGRESS_EVERY_MS) return;
          reported = now;
          report({ rows: rowsProcessed, failed: rowsFailed, bytes: bytesRead });
        },
      },
    );
    await Promise.all([endOutput(output), errors && endOutput(errors), scores && endOutput(scores)]);
    return scored;
  } finally {
    output.destroy();
    errors?.destroy();
    scores?.destroy();
  }
}

/** A part's or a thread's failure as a message can carry it: a RetainwiseError keeps its code (and so its kind). */
export function describeError(error: unknown): { code: ErrorCode; message: string } {
  if (isRetainwiseError(error)) return { code: error.code, message: error.message };
  return { code: "scoring.failed", message: `Scoring failed: ${(error as Error).message}` };
}
