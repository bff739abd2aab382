import type { ErrorDetails } from "../errors.ts";

/**
 * `JobRow`: the job columns every job table has (they inherit `job_rows`, migration 0011). What
 * every job table (predictions, models, score_indexings) offers the shared machinery: the outbox, the
 * idempotent claim, attempt-guarded heartbeats and settling, and the reaper. Methods that take
 * `attempt` do nothing and resolve `false` unless the row is still running under that attempt.
 */
export interface JobRow {
  id: string;
  /** The account the job works for (the message's fairness group); not on a shard's row, null on the built-in model's. */
  accountId?: string | null;
  status: string;
  /** Claims so far; every write after a claim names the attempt it holds. */
  attempts: number;
  errorCode: string | null;
  /** A sentence a customer understands, set when FAILED. */
  errorMessage: string | null;
  /** The failure's `RetainwiseError.details`, when it had any. */
  errorDetails: ErrorDetails | null;
  /** Null until the job message was sent: the outbox relay re-sends those (no job stays QUEUED forever). */
  enqueuedAt: Date | null;
  heartbeatAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** A claim: the row as now running, and which attempt this worker holds. */
export interface JobClaim<J> {
  job: J;
  attempt: number;
}

export interface JobError {
  code: string;
  message: string;
  details?: ErrorDetails | undefined;
}

export interface JobRows<J extends JobRow, P> {
  markEnqueued(id: string): Promise<void>;
  /** Queued rows never sent (enqueue failed or the API died between insert and send), older than the grace period. */
  findUnenqueued(olderThanSeconds: number, limit: number): Promise<J[]>;
  getById(id: string): Promise<J | null>;
  /**
   * Idempotent claim: queued -> running, or running whose heartbeat is older than `staleAfterSeconds`
   * (its worker died) -> running under a new attempt. Null when another worker holds it or it is over.
   */
  claim(id: string, options: { staleAfterSeconds: number }): Promise<JobClaim<J> | null>;
  /** Records progress and proves the worker alive; false when the row is no longer this attempt's (canceled, taken over). */
  heartbeat(id: string, attempt: number, progress: P): Promise<boolean>;
  /** `attempt` null: fail whatever attempt holds it (the message was dead-lettered before a claim). Terminal rows stay as they are. */
  fail(id: string, attempt: number | null, error: JobError): Promise<boolean>;
  /** Running -> queued (graceful shutdown), keeping `attempts`. */
  release(id: string, attempt: number): Promise<boolean>;
  /** Running rows with a stale heartbeat whose attempts are used up -> FAILED (their message went to the DLQ). */
  failAbandoned(options: { maxAttempts: number; staleAfterSeconds: number; message: string }): Promise<J[]>;
}
