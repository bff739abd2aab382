import { MAX_RECEIVES, type JobQueue, type Logger, type PredictionRepository } from "@retainwise/core";
import { sleep } from "./sleep.ts";

export interface RelayOptions {
  predictions: PredictionRepository;
  queue: JobQueue;
  intervalSeconds: number;
  /** A row younger than this may still be mid-upload-request: its API call sends the message itself. */
  graceSeconds: number;
  staleAfterSeconds: number;
  logger: Logger;
}

const BATCH = 100;
export const ABANDONED_MESSAGE =
  "We could not finish scoring this file: the worker processing it stopped unexpectedly several times. Please upload it again; if it keeps failing, contact support.";

/**
 * The outbox relay and reaper, one loop:
 * - the API inserts the row, then sends the message; if the send fails (or the API dies between
 *   the two) the row stays unenqueued, and this re-sends it, so no job stays QUEUED forever;
 * - a job whose worker died on its last allowed receive has its message in the dead-letter queue
 *   and its row RUNNING with a stale heartbeat: this fails it with a reason.
 * Re-sending can duplicate a message; the worker's idempotent claim makes that harmless.
 */
export function startRelay(options: RelayOptions): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await relayOnce(options);
      await sleep(options.intervalSeconds * 1000, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}

/**
 * One pass. Each step stands alone: a send that fails (AccessDenied, a throttle, a queue outage)
 * is logged and leaves that row unenqueued for the next pass, while the other rows are still sent
 * and the reaper still runs.
 */
export async function relayOnce(options: RelayOptions): Promise<{ resent: number; failed: number; abandoned: number }> {
  const { predictions, queue, logger } = options;
  let resent = 0;
  let failed = 0;
  const unsent = await attempt(logger, "listing unsent jobs", () => predictions.findUnenqueued(options.graceSeconds, BATCH), []);
  for (const prediction of unsent) {
    const sent = await attempt(logger, "re-sending a job message", async () => {
      await queue.send({ predictionId: prediction.id });
      await predictions.markEnqueued(prediction.id);
      return true;
    }, false, { jobId: prediction.id });
    if (sent) logger.info("job message re-sent by the relay", { jobId: prediction.id });
    if (sent) resent++;
    else failed++;
  }
  const abandoned = await attempt(logger, "failing abandoned jobs", () => predictions.failAbandoned({ maxAttempts: MAX_RECEIVES, staleAfterSeconds: options.staleAfterSeconds, message: ABANDONED_MESSAGE }), []);
  for (const prediction of abandoned) logger.warn("abandoned job failed", { jobId: prediction.id, attempts: prediction.attempts });
  return { resent, failed, abandoned: abandoned.length };
}

/** Runs one relay step; on failure logs it (with the job id, if any) and returns `fallback`. */
async function attempt<T>(logger: Logger, doing: string, step: () => Promise<T>, fallback: T, fields: Record<string, unknown> = {}): Promise<T> {
  try {
    return await step();
  } catch (error) {
    logger.error(`relay: ${doing} failed`, { ...fields, error });
    return fallback;
  }
}
