import { JOB_KINDS, type JobKind, type JobQueue, type Logger, type ReceivedMessage } from "@retainwise/core";
import { sleep } from "./sleep.ts";

export interface WorkerOptions {
  queue: JobQueue;
  /** Handles one message; `shutdown` aborts when the stop deadline has passed (release the job). */
  handle(message: ReceivedMessage, shutdown: AbortSignal): Promise<unknown>;
  /** Jobs processed at once; each slot long-polls for one message. */
  concurrency: number;
  /**
   * Kinds that hold a slot for minutes (training) and how many slots may run them: the other slots
   * receive every other kind only (`ReceiveOptions.kinds`), so scoring always has a slot however
   * many trainings are queued. E.g. `{kinds: ["train"], maxSlots: concurrency - 1}`.
   */
  longJobs?: { kinds: readonly JobKind[]; maxSlots: number };
  visibilitySeconds: number;
  /** Long-poll length; SQS allows at most 20. */
  waitSeconds?: number;
  logger: Logger;
  /** Called when a slot takes a message and after it is done with it (e.g. ECS task protection). */
  onBusy?(): Promise<void>;
  onIdle?(): Promise<void>;
  /**
   * True while this worker is being replaced (drain-on-new-generation.ts): slots claim nothing,
   * and a job in hand gets `drainDeadlineMs` more before it is aborted (released for a new task).
   */
  draining?(): boolean;
  /** How long a job may run on once draining starts; default 10 minutes (a deploy waits for it). */
  drainDeadlineMs?: number;
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
/** How often a draining slot, or a job in hand, looks at the drain signal again. */
const DRAIN_POLL_MS = 200;
const DEFAULT_DRAIN_DEADLINE_MS = 10 * 60_000;

/**
 * The long-poll loop. Each slot survives any error (caught per iteration, logged with the
 * message id, backed off), so one bad message or a database blip never stops the worker.
 *
 * @example
 *   const worker = startWorker({ queue, concurrency: 2, visibilitySeconds: 300, logger,
 *     handle: (message, shutdown) => handleJobMessage(message, registry, deps, { ...options, shutdown }) });
 *   process.on("SIGTERM", () => worker.stop(25_000));
 */
export function startWorker(options: WorkerOptions): Worker {
  const receiving = new AbortController();
  const jobs = new AbortController();
  const slots = Array.from({ length: options.concurrency }, (_, slot) =>
    runSlot(slot, options, receiving.signal, jobs.signal),
  );
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

async function runSlot(
  slot: number,
  options: WorkerOptions,
  receiving: AbortSignal,
  shutdown: AbortSignal,
): Promise<void> {
  let backoff = ERROR_BACKOFF_MS.first;
  const kinds = slotKinds(slot, options.longJobs);
  while (!receiving.aborted) {
    // Being replaced: claim nothing (the jobs in hand end, protection with them, and ECS stops the task).
    if (options.draining?.()) {
      await sleep(DRAIN_POLL_MS, receiving);
      continue;
    }
    let current: ReceivedMessage | undefined;
    try {
      const messages = await options.queue.receive({
        max: 1,
        waitSeconds: options.waitSeconds ?? 20,
        visibilitySeconds: options.visibilitySeconds,
        signal: receiving,
        ...(kinds ? { kinds } : {}),
      });
      for (current of messages) {
        await options.onBusy?.();
        const job = abortWhenDrainedTooLong(shutdown, options);
        try {
          await options.handle(current, job.signal);
        } finally {
          job.dispose();
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

/** What slot `slot` receives: any kind (undefined) in the first `maxSlots`, every kind but the long ones after. */
function slotKinds(slot: number, longJobs: WorkerOptions["longJobs"]): readonly JobKind[] | undefined {
  if (!longJobs || slot < Math.max(1, longJobs.maxSlots)) return undefined;
  return JOB_KINDS.filter((kind) => !longJobs.kinds.includes(kind));
}

/**
 * The signal a job runs under: shutdown's, plus an abort `drainDeadlineMs` after draining starts,
 * so a long job on a replaced worker is released for a new task instead of holding the deploy
 * (and the task's protection) for hours. A drain that ends before its deadline cancels it.
 */
function abortWhenDrainedTooLong(
  shutdown: AbortSignal,
  options: WorkerOptions,
): { signal: AbortSignal; dispose(): void } {
  if (!options.draining) return { signal: shutdown, dispose: () => {} };
  const drained = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const poll = setInterval(() => {
    if (options.draining!() && !deadline) {
      deadline = setTimeout(() => drained.abort(), options.drainDeadlineMs ?? DEFAULT_DRAIN_DEADLINE_MS);
    } else if (!options.draining!() && deadline) {
      clearTimeout(deadline);
      deadline = undefined;
    }
  }, DRAIN_POLL_MS);
  return {
    signal: AbortSignal.any([shutdown, drained.signal]),
    dispose() {
      clearInterval(poll);
      clearTimeout(deadline);
    },
  };
}
