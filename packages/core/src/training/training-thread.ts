import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { isRetainwiseError, RetainwiseError, type ErrorCode } from "../errors.ts";
import type { ModelCard } from "../model/card.ts";
import { defaultThreads, threadsForMachine } from "../threads.ts";
import { trainFromCsvFile } from "./pipeline.ts";

/**
 * Training on a worker thread, so the job's heartbeats (progress, visibility extensions, cancel
 * checks) and other jobs keep running while the trainer computes for seconds or minutes. Like
 * scoring threads, the thread starts from the program's own entry file, which sees this marker in
 * its workerData and calls `serveTrainingThread()` instead of its command line.
 */
export const TRAINING_THREAD = "retainwiseTrainingThread";

export interface TrainingRequest {
  /** The labeled CSV on local disk. */
  path: string;
  label: string;
  positive?: string | undefined;
  name: string;
  version: string;
  seed?: number;
  /** A permanent error past this many data rows, raised as soon as the file is read. */
  maxRows: number;
  /** A permanent error past this many rows x columns, raised while the file is read (`ReadTrainingOptions.maxCells`). */
  maxCells?: number;
  /** Threads the training's bags run on, the training thread included (default: the machine's cores, at most 4); the model is the same on any number. */
  threads?: number;
}

export interface TrainingResult {
  onnx: Uint8Array;
  card: ModelCard;
  rows: number;
  /** Rows labeled positive (churned). */
  positives: number;
}

export interface TrainingStep {
  /** The trainer's own words for the step it finished ("read training file", "split", …). */
  step: string;
  fields: Record<string, unknown>;
}

interface ThreadData {
  [TRAINING_THREAD]: TrainingRequest;
  /** The file this thread started from. */
  entry: string;
}

type ThreadMessage =
  | { progress: TrainingStep }
  | { result: TrainingResult }
  | { error: { code: ErrorCode; message: string } };

export function isTrainingThread(): boolean {
  return !isMainThread && (workerData as { [TRAINING_THREAD]?: unknown } | null)?.[TRAINING_THREAD] !== undefined;
}

/**
 * Trains in a new thread started from `entry`. Aborting `signal` terminates the thread at once:
 * training is plain JavaScript (no native session to corrupt), so nothing is left half-done.
 *
 * @example
 *   const { onnx, card } = await trainInThread(programEntry(), { path, label: "churn", name: "bank", version: "v2", maxRows: 1e6 }, { signal, onStep });
 */
export function trainInThread(
  entry: string | URL,
  request: TrainingRequest,
  options: { signal: AbortSignal; onStep?: (step: TrainingStep) => void },
): Promise<TrainingResult> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(options.signal.reason);
    // The thread starts its bagging threads from the same file.
    const threadData: ThreadData = {
      [TRAINING_THREAD]: request,
      entry: entry instanceof URL ? fileURLToPath(entry) : entry,
    };
    const thread = new Worker(entry, { workerData: threadData });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      void thread.terminate();
      fn();
    };
    const onAbort = () => settle(() => reject(options.signal.reason));
    options.signal.addEventListener("abort", onAbort, { once: true });
    thread.on("message", (message: ThreadMessage) => {
      if ("progress" in message) options.onStep?.(message.progress);
      else if ("result" in message) settle(() => resolve(message.result));
      else settle(() => reject(new RetainwiseError(message.error.code, message.error.message)));
    });
    thread.on("error", (error) =>
      settle(() =>
        reject(
          new RetainwiseError("train.thread_failed", `Training stopped unexpectedly: ${error.message}`, {
            cause: error,
          }),
        ),
      ),
    );
    thread.on("exit", (code) =>
      settle(() =>
        reject(new RetainwiseError("train.thread_failed", `Training stopped unexpectedly (thread exit ${code}).`)),
      ),
    );
  });
}

/** The thread side: trains once, posting each step, then the result (or the error). */
export async function serveTrainingThread(): Promise<void> {
  const port = parentPort!;
  const { [TRAINING_THREAD]: request, entry } = workerData as ThreadData;
  try {
    const artifacts = await trainFromCsvFile(request.path, {
      label: request.label,
      ...(request.positive ? { positive: request.positive } : {}),
      name: request.name,
      version: request.version,
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.maxCells !== undefined ? { maxCells: request.maxCells } : {}),
      threads: threadsForMachine(request.threads ?? defaultThreads()),
      workerEntry: entry,
      onProgress: (step, fields = {}) => {
        if (step === "read training file" && typeof fields.rows === "number" && fields.rows > request.maxRows) {
          throw new RetainwiseError(
            "train.too_many_rows",
            `The training file has ${fields.rows} rows; the limit is ${request.maxRows}. Train on a sample of at most ${request.maxRows} rows.`,
          );
        }
        port.postMessage({ progress: { step, fields } } satisfies ThreadMessage);
      },
    });
    const positives = artifacts.data.labels.reduce((n, label) => n + label, 0);
    const result: TrainingResult = { onnx: artifacts.onnx, card: artifacts.card, rows: artifacts.data.rows, positives };
    port.postMessage({ result } satisfies ThreadMessage);
  } catch (error) {
    const described = isRetainwiseError(error)
      ? { code: error.code, message: error.message }
      : { code: "train.failed" as const, message: `Training failed: ${(error as Error).message}` };
    port.postMessage({ error: described } satisfies ThreadMessage);
  }
}
