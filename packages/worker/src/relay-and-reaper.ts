import { MAX_RECEIVES, sendJob, type AnyJobSpec, type JobQueue, type Logger } from "@retainwise/core";
import { sleep } from "./sleep.ts";

export interface RelayOptions {
  /** Every kind's table and the kind its messages name: the registry's specs (`JobRegistry.specs`). */
  jobs: readonly Pick<AnyJobSpec, "kind" | "rows">[];
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
 * The outbox relay and reaper, one loop over every kind's job table (the registry's specs):
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

export async function relayOnce(options: RelayOptions): Promise<{ resent: number; failed: number; abandoned: number }> {
  const total = { resent: 0, failed: 0, abandoned: 0 };
  for (const spec of options.jobs) {
    const counts = await relayTable(spec, options);
    total.resent += counts.resent;
    total.failed += counts.failed;
    total.abandoned += counts.abandoned;
  }
  return total;
}

/**
 * One table's pass. Each step stands alone: a send that fails (AccessDenied, a throttle, a queue
 * outage) is logged and leaves that row unenqueued for the next pass, while the other rows are
 * still sent and the reaper still runs.
 */
async function relayTable(
  { kind, rows }: Pick<AnyJobSpec, "kind" | "rows">,
  options: RelayOptions,
): Promise<{ resent: number; failed: number; abandoned: number }> {
  const { queue, logger } = options;
  let resent = 0;
  let failed = 0;
  const unsent = await attempt(
    logger,
    "listing unsent jobs",
    () => rows.findUnenqueued(options.graceSeconds, BATCH),
    [],
    { kind },
  );
  for (const job of unsent) {
    const sent = await attempt(
      logger,
      "re-sending a job message",
      () => sendJob(kind, job.id, queue, rows, job.accountId ?? undefined).then(() => true),
      false,
      { jobId: job.id, kind },
    );
    if (sent) logger.info("job message re-sent by the relay", { jobId: job.id, kind });
    if (sent) resent++;
    else failed++;
  }
  const abandoned = await attempt(
    logger,
    "failing abandoned jobs",
    () =>
      rows.failAbandoned({
        maxAttempts: MAX_RECEIVES,
        staleAfterSeconds: options.staleAfterSeconds,
        message: ABANDONED_MESSAGE,
      }),
    [],
    { kind },
  );
  for (const job of abandoned) logger.warn("abandoned job failed", { jobId: job.id, kind, attempts: job.attempts });
  return { resent, failed, abandoned: abandoned.length };
}

/** Runs one relay step; on failure logs it (with the job id, if any) and returns `fallback`. */
async function attempt<T>(
  logger: Logger,
  doing: string,
  step: () => Promise<T>,
  fallback: T,
  fields: Record<string, unknown> = {},
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    logger.error(`relay: ${doing} failed`, { ...fields, error });
    return fallback;
  }
}
