import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { NumberFormat } from "../csv/numbers.ts";
import { isRetainwiseError, type ErrorCode, type ErrorKind } from "../errors.ts";
import { loadModelFromBytes, type ModelBytes } from "../model/churn-model.ts";
import type { Delimiter } from "../csv/sniff.ts";
import { PieceScorer, type ScoredPiece } from "./pipeline.ts";
import type { ScoreSummary } from "./summary-types.ts";

/**
 * The thread side of parallel scoring (parallel.ts). The program's entry file starts threads with
 * this marker in their workerData and, seeing it, calls `serveScoringThread()` instead of its
 * command line: one program file serves both, in development (tsx) and in the bundle alike.
 */
export const SCORING_THREAD = "retainwiseScoringThread";

export interface ThreadData {
  [SCORING_THREAD]: true;
  /** The model itself (a thread never reads it from a path: trained models live in the object store). */
  model: ModelBytes;
  /** The model's `model_version`, as the main thread names it. */
  version: string;
  /** The file's header record, which every piece is read after. */
  headers: string[];
  delimiter: Delimiter;
  includeInput: boolean;
  /** Decided once from the head of the file: a piece alone could decide differently. */
  numberFormat: NumberFormat;
  /** Champion / challenger: the second model, and the file's number format as its columns read it. */
  challenger?: { model: ModelBytes; version: string; numberFormat: NumberFormat };
  /** Count each piece's feature codes into the model's bins (drift) and send them back with it. */
  countDrift: boolean;
}

export type PieceReply =
  /** `bytes`: the piece's output lines as UTF-8, its memory moved (transferred) to the main thread, not copied. */
  | ({ id: number } & ScoredPiece)
  | { id: number; error: { code: ErrorCode; message: string; kind: ErrorKind } };

export function isScoringThread(): boolean {
  return !isMainThread && (workerData as Partial<ThreadData> | null)?.[SCORING_THREAD] === true;
}

/** Loads the model, says `ready` (or `failed`), scores each `{id, piece}` it is sent, and on `{close}` says `closed` once idle. */
export async function serveScoringThread(): Promise<void> {
  const port = parentPort!;
  const { model: source, version, includeInput, numberFormat, headers, delimiter, challenger: second, countDrift } = workerData as ThreadData;
  const models = await Promise.all([loadModelFromBytes(source, { version }), second && loadModelFromBytes(second.model, { version: second.version })]).catch((error: unknown) => {
    port.postMessage({ failed: describeError(error) });
    return undefined;
  });
  if (!models) return;
  const [model, challenger] = models;
  let scorer: PieceScorer;
  try {
    scorer = new PieceScorer(headers, delimiter, model, { includeInput, numberFormat, countDrift, ...(challenger && second ? { challenger: { model: challenger, numberFormat: second.numberFormat } } : {}) });
  } catch (error) {
    port.postMessage({ failed: describeError(error) });
    return;
  }
  // One piece at a time: a queued piece waits as bytes, not as parsed records, which keeps the heap small.
  let queue = Promise.resolve();
  let closing = false;
  port.on("message", (message: { id: number; piece: Uint8Array } | { close: true }) => {
    if ("close" in message) {
      // Pieces not started are dropped; the one running finishes, because stopping a thread inside
      // onnxruntime's native code aborts the whole process.
      closing = true;
      queue = queue.then(async () => {
        await Promise.all([model.release(), challenger?.release()]);
        port.postMessage({ closed: true });
      });
      return;
    }
    const { id, piece } = message;
    queue = queue.then(() => {
      if (closing) return;
      return scorer.score(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)).then(
        (scored) => port.postMessage({ id, ...scored } satisfies PieceReply, [scored.bytes.buffer as ArrayBuffer]),
        (error: unknown) => port.postMessage({ id, error: describeError(error) } satisfies PieceReply),
      );
    });
  });
  port.postMessage({ ready: true });
}

/** A piece's or a thread's failure as a message can carry it: a RetainwiseError keeps its code and kind. */
export function describeError(error: unknown): { code: ErrorCode; message: string; kind: ErrorKind } {
  if (isRetainwiseError(error)) return { code: error.code, message: error.message, kind: error.kind };
  return { code: "scoring.failed", message: `Scoring failed: ${(error as Error).message}`, kind: "internal" };
}
