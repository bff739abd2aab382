import type { JobQueue, Logger, ReceivedMessage } from "@retainwise/core";
import { sleep } from "./sleep.ts";

export interface WorkerOptions {
  queue: JobQueue;
  /** Handles one message; `shutdown` aborts when the stop deadline has passed (release the job). */
  handle(message: ReceivedMessage, shutdown: AbortSignal): Promise<unknown>;
  /** Jobs processed at once; each slot long-polls for one message. */
  concurrency: number;
  visibilitySeconds: number;
  /** Long-poll length; SQS allows at most 20. */
  waitSeconds?: number;
  logger: Logger;
  /** Called when a slot takes a message and after it is done with it (e.g. ECS task protection). */
  onBusy?(): Promise<void>;
  onIdle?(): Promise<void>;
}

export interface Worker {
  /**
   * Stops receiving at once, lets in-flight jobs finish for `deadlineMs`, then aborts them (they
   * release their job and message for another worker) and resolves when every slot has exited.
   */
  stop(deadlineMs: number): Promise<void>;
  /** Resolves when every slot has exited. */
  done: Promise<void>;
}

/** Backoff after an unexpected error in a slot: 1 s doubling to 30 s, reset by a clean iteration. */
const ERROR_BACKOFF_MS = { first: 1_000, max: 30_000 };

/**
 * The long-poll loop. Each slot survives any error (caught per iteration, logged with the
 * message id, backed off), so one bad message or a database blip never stops the worker.
 *
 * @example
 *   const worker = startWorker({ queue, concurrency: 2, visibilitySeconds: 300, logger,
 *     handle: (message, shutdown) => processPrediction(message, deps, { ...options, shutdown }) });
 *   process.on("SIGTERM", () => worker.stop(25_000));
 */
export function startWorker(options: WorkerOptions): Worker {
  const receiving = new AbortController();
  const jobs = new AbortController();
  const slots = Array.from({ length: options.concurrency }, (_, slot) => runSlot(slot, options, receiving.signal, jobs.signal));
  const done = Promise.all(slots).then(() => {});
  options.logger.info("worker started", { concurrency: options.concurrency });
  return {
    done,
    async stop(deadlineMs) {
      receiving.abort();
      const timer = setTimeout(() => jobs.abort(), deadlineMs);
      await done;
      clearTimeout(timer);
      options.logger.info("worker stopped");
    },
  };
}

async function runSlot(slot: number, options: WorkerOptions, receiving: AbortSignal, shutdown: AbortSignal): Promise<void> {
  let backoff = ERROR_BACKOFF_MS.first;
  while (!receiving.aborted) {
    let current: ReceivedMessage | undefined;
    try {
      const messages = await options.queue.receive({
        max: 1,
        waitSeconds: options.waitSeconds ?? 20,
        visibilitySeconds: options.visibilitySeconds,
        signal: receiving,
      });
      for (current of messages) {
        await options.onBusy?.();
        try {
          await options.handle(current, shutdown);
        } finally {
          await options.onIdle?.();
        }
      }
      backoff = ERROR_BACKOFF_MS.first;
    } catch (error) {
      options.logger.error("worker iteration failed", { slot, messageId: current?.messageId, error });
      await sleep(backoff, receiving);
      backoff = Math.min(backoff * 2, ERROR_BACKOFF_MS.max);
    }
  }
}
