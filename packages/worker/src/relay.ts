import { MAX_RECEIVES, sendJob, type JobKind, type JobQueue, type JobRow, type JobRows, type Logger } from "@retainwise/core";
import { sleep } from "./sleep.ts";

export interface RelayOptions {
  /** Every job table, with the kind of message its rows are sent as. */
  tables: Array<{ kind: JobKind; rows: JobRows<JobRow, never> }>;
  queue: JobQueue;
  intervalSeconds: number;
  /** A row younger than this may still be mid-upload-request: its API call sends the message itself. */
  graceSeconds: number;
  staleAfterSeconds: number;
  logger: Logger;
}

const BATCH = 100;
export const ABANDONED_MESSAGE =
  "We could not finish this job: the worker processing it stopped unexpectedly several times. Please submit it again; if it keeps failing, contact support.";

/**
 * The outbox relay and reaper, one loop over every job table (predictions, models):
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
  const total = { resent: 0, abandoned: 0 };
  for (const { kind, rows } of options.tables) {
    const { resent, abandoned } = await relayTable(kind, rows, options);
    total.resent += resent;
    total.abandoned += abandoned;
  }
  return total;
}

async function relayTable(kind: JobKind, rows: JobRows<JobRow, never>, options: RelayOptions): Promise<{ resent: number; abandoned: number }> {
  const { queue, logger } = options;
  const unsent = await rows.findUnenqueued(options.graceSeconds, BATCH);
  for (const job of unsent) {
    await sendJob(kind, job.id, queue, rows);
    logger.info("job message re-sent by the relay", { jobId: job.id, kind });
  }
  const abandoned = await rows.failAbandoned({ maxAttempts: MAX_RECEIVES, staleAfterSeconds: options.staleAfterSeconds, message: ABANDONED_MESSAGE });
  for (const job of abandoned) logger.warn("abandoned job failed", { jobId: job.id, kind, attempts: job.attempts });
  return { resent: unsent.length, abandoned: abandoned.length };
}
