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
      try {
        await relayOnce(options);
      } catch (error) {
        options.logger.error("relay iteration failed", { error });
      }
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

export async function relayOnce(options: RelayOptions): Promise<{ resent: number; abandoned: number }> {
  const { predictions, queue, logger } = options;
  const unsent = await predictions.findUnenqueued(options.graceSeconds, BATCH);
  for (const prediction of unsent) {
    await queue.send({ predictionId: prediction.id });
    await predictions.markEnqueued(prediction.id);
    logger.info("job message re-sent by the relay", { jobId: prediction.id });
  }
  const abandoned = await predictions.failAbandoned({ maxAttempts: MAX_RECEIVES, staleAfterSeconds: options.staleAfterSeconds, message: ABANDONED_MESSAGE });
  for (const prediction of abandoned) logger.warn("abandoned job failed", { jobId: prediction.id, attempts: prediction.attempts });
  return { resent: unsent.length, abandoned: abandoned.length };
}
