import { isRetainwiseError, RetainwiseError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { MAX_RECEIVES, type JobQueue, type ReceivedMessage } from "../ports/job-queue.ts";
import type { JobClaim, JobRow } from "./job-rows.ts";
import type { JobSpec } from "./registry.ts";

export interface RunJobDeps {
  queue: JobQueue;
  logger: Logger;
}

export interface RunJobOptions {
  visibilitySeconds: number;
  /** How often progress reaches the row and the message's visibility is extended. */
  heartbeatSeconds: number;
  staleAfterSeconds: number;
  /**
   * The no-progress watchdog: a job whose progress has not changed for this many heartbeats has its
   * attempt aborted and retried like a transient failure (default DEFAULT_STALL_HEARTBEATS).
   */
  stallHeartbeats?: number;
  /** Aborted on shutdown: the job is released for another worker, not failed. */
  shutdown: AbortSignal;
}

/**
 * 150 heartbeats: 5 minutes at the default 2 s. Generous because training reports progress only
 * when its phase changes, and one phase of a 500k-row training can take minutes on a busy machine.
 */
export const DEFAULT_STALL_HEARTBEATS = 150;

/**
 * Once a job's signal aborts (shutdown, cancel, stall) its work has this long to end before the job
 * is settled without it: a read that never resolves must not keep a slot, or shutdown, forever.
 */
const ABANDON_AFTER_ABORT_MS = 5_000;

export type ProcessOutcome = "completed" | "failed" | "retry" | "released" | "canceled" | "skipped" | "poison";

/** What one kind of job does once its row is claimed. */
export interface JobWork<J extends JobRow, P> {
  /** Progress written by heartbeats before the work reports any. */
  initialProgress: P;
  /**
   * Does the job and settles its row (complete, guarded by `claim.attempt`); resolves false when the
   * row refused the completion (canceled or taken over meanwhile). Throws to fail or retry; cleans
   * up its own partial output before throwing.
   */
  run(claim: JobClaim<J>, context: JobContext<P>): Promise<boolean>;
}

export interface JobContext<P> {
  /** Aborts on shutdown and when the row says the job is no longer ours. */
  signal: AbortSignal;
  /** The latest progress; the next heartbeat writes it. */
  progress(progress: P): void;
  log: Logger;
}

/**
 * Runs the job a received message names, for any kind of job. The guarantee, as in graphile-worker's
 * `doNext`: every job this function claims ends finished, FAILED or released back to queued — on
 * every path, including errors thrown by the store or database — and the message is deleted exactly
 * when the job is over. What is left behind on a crash (SIGKILL) is a running row whose heartbeat
 * goes stale plus an undeleted message: redelivery claims it again (see `JobRows.claim`).
 *
 * Failure policy:
 * - permanent errors (bad CSV, a label with one class): FAILED at once with the customer-readable message;
 * - transient errors (store, database, network): released and retried by redelivery after a
 *   backoff; on the MAX_RECEIVES-th receive the job is FAILED with a reason and the message is left
 *   to the queue's dead-lettering.
 * - no progress for `stallHeartbeats` heartbeats (a read or write that never resolves): the attempt is
 *   aborted and counts as a transient failure, so a job that always stalls ends FAILED too.
 */
export async function runJob<J extends JobRow, P>(
  id: string,
  message: ReceivedMessage,
  spec: JobSpec<J, P>,
  deps: RunJobDeps,
  options: RunJobOptions,
): Promise<ProcessOutcome> {
  const log = deps.logger.child({
    jobId: id,
    kind: spec.kind,
    messageId: message.messageId,
    receiveCount: message.receiveCount,
  });
  const claim = await spec.rows.claim(id, { staleAfterSeconds: options.staleAfterSeconds });
  if (!claim) return skipUnclaimable(id, message, spec, deps, log);
  log.info("job claimed", { attempt: claim.attempt });
  try {
    return await runClaimed(claim, message, spec, deps, options, log);
  } catch (error) {
    return settleFailure(error, id, claim.attempt, message, spec, deps, options, log);
  }
}

/** A duplicate or redelivered message: delete it if the job is over, else leave it to whoever holds the job. */
async function skipUnclaimable<J extends JobRow, P>(
  id: string,
  message: ReceivedMessage,
  spec: JobSpec<J, P>,
  deps: RunJobDeps,
  log: Logger,
): Promise<ProcessOutcome> {
  const row = await spec.rows.getById(id);
  if (!row || spec.finished.includes(row.status)) {
    await deps.queue.delete(message.receipt);
    log.info("message for a finished or deleted job dropped", { status: row?.status ?? "missing" });
  } else {
    log.info("job held by another worker; message left", { status: row.status });
  }
  return "skipped";
}

async function runClaimed<J extends JobRow, P>(
  claim: JobClaim<J>,
  message: ReceivedMessage,
  spec: JobSpec<J, P>,
  deps: RunJobDeps,
  options: RunJobOptions,
  log: Logger,
): Promise<ProcessOutcome> {
  const stop = new AbortController();
  const onShutdown = () => stop.abort(new RetainwiseError("job.released", "The worker is shutting down."));
  options.shutdown.addEventListener("abort", onShutdown, { once: true });
  const heartbeat = startHeartbeat(claim, message, spec, deps, options, stop, log);
  try {
    const completed = await untilAbandoned(
      spec.work.run(claim, { signal: stop.signal, progress: heartbeat.record, log }),
      stop.signal,
    );
    heartbeat.stop();
    await deps.queue.delete(message.receipt);
    if (!completed) {
      log.info("job canceled or taken over before completion; work discarded", { attempt: claim.attempt });
      return "canceled";
    }
    log.info("job completed", { attempt: claim.attempt });
    return "completed";
  } catch (error) {
    if (heartbeat.lost()) {
      await deps.queue.delete(message.receipt);
      log.info("job canceled while running; work discarded", { attempt: claim.attempt });
      return "canceled";
    }
    // What the work threw on its way out of a stall is a consequence; the stall is the reason.
    throw heartbeat.stalled() ? stop.signal.reason : error;
  } finally {
    heartbeat.stop();
    options.shutdown.removeEventListener("abort", onShutdown);
  }
}

async function settleFailure<J extends JobRow, P>(
  error: unknown,
  id: string,
  attempt: number,
  message: ReceivedMessage,
  spec: JobSpec<J, P>,
  deps: RunJobDeps,
  options: RunJobOptions,
  log: Logger,
): Promise<ProcessOutcome> {
  if (options.shutdown.aborted) {
    await spec.rows.release(id, attempt);
    await deps.queue.release(message.receipt);
    log.info("job released on shutdown", { attempt });
    return "released";
  }
  if (isRetainwiseError(error) && error.permanent) {
    await spec.rows.fail(id, attempt, { code: error.code, message: error.message, details: error.details });
    await deps.queue.delete(message.receipt);
    log.info("job failed", { attempt, error });
    return "failed";
  }
  if (message.receiveCount >= MAX_RECEIVES) {
    await spec.rows.fail(id, attempt, {
      code: "job.attempts_exhausted",
      message: `We could not finish this job after ${MAX_RECEIVES} attempts because ${describe(error)}. Please submit it again; if it keeps failing, contact support.`,
    });
    log.error("job failed after its last attempt; message left to dead-letter", { attempt, error });
    return "failed";
  }
  await spec.rows.release(id, attempt);
  await deps.queue.extend(message.receipt, retryDelaySeconds(message.receiveCount));
  log.warn("job will be retried", { attempt, error, retryInSeconds: retryDelaySeconds(message.receiveCount) });
  return "retry";
}

/** 5 s, 20 s, 80 s…: the message stays invisible this long before its next delivery. */
export function retryDelaySeconds(receiveCount: number): number {
  return 5 * 4 ** Math.max(0, receiveCount - 1);
}

function describe(error: unknown): string {
  if (isRetainwiseError(error) && error.code === STALLED)
    return `it stopped making progress each time (${error.message})`;
  return `of a temporary problem on our side (${isRetainwiseError(error) ? error.code : error instanceof Error ? error.name : "unknown error"})`;
}

const STALLED = "job.stalled";

/**
 * The work's own promise, or, once `signal` has aborted and the work has not ended within
 * ABANDON_AFTER_ABORT_MS, the abort reason. Abandoned work can no longer touch the job: its row
 * refuses a completion from an attempt that is not running (`JobRows.complete`).
 */
function untilAbandoned<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    const giveUp = () => (timer = setTimeout(() => reject(signal.reason), ABANDON_AFTER_ABORT_MS));
    if (signal.aborted) giveUp();
    else signal.addEventListener("abort", giveUp, { once: true });
  });
  work.catch(() => {}); // an abandoned work's late failure is expected, not unhandled
  return Promise.race([work, abandoned]).finally(() => clearTimeout(timer));
}

interface Heartbeat<P> {
  record(progress: P): void;
  stop(): void;
  /** True once the row said the job is no longer ours (canceled, or claimed by a newer attempt). */
  lost(): boolean;
  /** True once the watchdog aborted the attempt for making no progress. */
  stalled(): boolean;
}

/**
 * Writes progress to the row and extends the message's visibility every `heartbeatSeconds`, and
 * watches that progress moves: the watchdog ticks with the heartbeat but apart from its database
 * writes, so a job stuck with the database down is noticed too.
 */
function startHeartbeat<J extends JobRow, P>(
  claim: JobClaim<J>,
  message: ReceivedMessage,
  spec: JobSpec<J, P>,
  deps: RunJobDeps,
  options: RunJobOptions,
  stop: AbortController,
  log: Logger,
): Heartbeat<P> {
  let progress = spec.work.initialProgress;
  let lost = false;
  let stalled = false;
  let busy = false;
  let stopped = false;
  const limit = options.stallHeartbeats ?? DEFAULT_STALL_HEARTBEATS;
  let lastSeen = JSON.stringify(progress);
  let stillBeats = 0;
  const watch = () => {
    const seen = JSON.stringify(progress);
    if (seen !== lastSeen) {
      lastSeen = seen;
      stillBeats = 0;
      return;
    }
    if (++stillBeats < limit || stop.signal.aborted) return;
    stalled = true;
    const seconds = Math.round(limit * options.heartbeatSeconds);
    log.warn("job made no progress; attempt aborted for a retry", {
      attempt: claim.attempt,
      heartbeats: stillBeats,
      seconds,
      progress,
    });
    stop.abort(new RetainwiseError(STALLED, `no progress for ${seconds} s`));
  };
  const beat = async () => {
    if (busy) return;
    busy = true;
    try {
      const ours = await spec.rows.heartbeat(claim.job.id, claim.attempt, progress);
      if (!ours) {
        lost = true;
        stop.abort(new RetainwiseError("job.lost", "The job was canceled or taken over."));
        return;
      }
      // A beat still in flight when the job ended meets a deleted message: nothing left to extend.
      if (stopped) return;
      await deps.queue.extend(message.receipt, options.visibilitySeconds);
    } catch (error) {
      if (!stopped) log.warn("heartbeat failed; will retry at the next beat", { error });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    watch();
    void beat();
  }, options.heartbeatSeconds * 1000);
  return {
    record: (p) => {
      progress = p;
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    lost: () => lost,
    stalled: () => stalled,
  };
}
