import { Worker } from "node:worker_threads";
import { RetainwiseError, TransientError, type ErrorCode } from "../errors.ts";
import type { RangeProgress, RangeReply, RangeTask, ThreadData, ThreadTask } from "./scoring-thread.ts";

/** The main thread's hold on one scoring thread (scoring-thread.ts serves the other side). */
export interface ScoringThread {
  /** Scores a range of the file into the task's files, telling `onProgress` now and then how far it is. */
  scoreRange(task: RangeTask, onProgress: (progress: RangeProgress) => void): Promise<RangeReply>;
  /**
   * Asks the thread to stop once its running task is done (a range stops at its next batch), then
   * ends it. `worker.terminate()` on a thread inside `session.run` aborts the whole process
   * (onnxruntime-node's native code throws as the thread's environment goes away), so a busy
   * thread is never terminated.
   */
  stop(): Promise<void>;
}

interface Waiting {
  resolve(reply: RangeReply): void;
  reject(error: Error): void;
  progress?: (progress: RangeProgress) => void;
}

type Message =
  | { ready: true }
  | { closed: true }
  | { failed: { code: ErrorCode; message: string } }
  | { id: number; progress: RangeProgress }
  | RangeReply;

/** Starts a thread that loads the model once and resolves when it is ready; a thread that stops fails every task it holds with the retryable `scoring.thread_failed`. */
export function startScoringThread(entry: string | URL, data: ThreadData): Promise<ScoringThread> {
  // Capping the old generation at 128 MB cut peak RSS by ~80 MB at the same speed (measured when threads
  // scored 256 KiB pieces, whose records needed ~30 MB; a range streams a batch at a time). The young
  // generation stays at the default 16 MB: 32 MB cost ~18 MB of peak RSS on two threads (270 -> 252 MB,
  // 200k rows) once batches reuse their buffers; what it buys in speed could not be measured on the
  // shared machine that day (load 30+).
  const worker = new Worker(entry, {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 },
  });
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let exited = false;
  const handle: ScoringThread = {
    scoreRange: (range, progress) =>
      new Promise<RangeReply>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject, progress });
        worker.postMessage({ id, range } satisfies ThreadTask);
      }),
    async stop() {
      if (exited) return;
      const idle = new Promise<void>((resolve) => {
        worker.on("message", (message: { closed?: true }) => message.closed && resolve());
        worker.once("exit", () => resolve());
      });
      worker.postMessage({ close: true });
      await idle;
      await worker.terminate();
    },
  };
  return new Promise((resolve, reject) => {
    worker.on("message", (message: Message) => {
      if ("ready" in message) return resolve(handle);
      if ("closed" in message) return;
      if ("failed" in message) return reject(new RetainwiseError(message.failed.code, message.failed.message));
      if ("progress" in message) return waiting.get(message.id)?.progress?.(message.progress);
      waiting.get(message.id)?.resolve(message);
      waiting.delete(message.id);
    });
    const lost = (why: string) => {
      const error = new TransientError("scoring.thread_failed", `A scoring thread stopped unexpectedly (${why}).`);
      reject(error);
      for (const { reject: fail } of waiting.values()) fail(error);
      waiting.clear();
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => {
      exited = true;
      lost(`exit code ${code}`);
    });
  });
}
