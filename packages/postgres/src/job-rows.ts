import { isUuid, type JobClaim, type JobError, type JobRow, type JobRows } from "@retainwise/core";
import type postgres from "postgres";
import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";
import { withoutNul } from "./json-strings.ts";

/** What differs between job tables; everything else (outbox, claim, guards, reaper) is shared. */
export interface JobTable<J extends JobRow, P> {
  /** A table that inherits `job_rows` (migration 0011): the job columns below are those. */
  table: "predictions" | "models" | "score_indexings" | "prediction_shards";
  /** The status of a claimed job: RUNNING (predictions), TRAINING (models). */
  running: string;
  /** What the errors say is being handled ("prediction", "model"). */
  noun: string;
  toJob(row: Record<string, unknown>): J;
  /** Column assignments a claim also makes (reset last attempt's progress). */
  onClaim(sql: SqlOrTx): postgres.Fragment;
  /** Column assignments recording `progress`. */
  progress(sql: SqlOrTx, progress: P): postgres.Fragment;
}

/**
 * The job-rows adapter both tables share. Every write after the claim is one UPDATE guarded by
 * `status = <running> and attempts = <attempt>`, so a worker that lost its claim (stalled past the
 * stale threshold, another worker re-claimed, the customer canceled) changes nothing and learns it
 * from the `false`.
 *
 * @example
 *   const rows = createJobRows(sql, PREDICTIONS_TABLE);
 *   const claim = await rows.claim(id, { staleAfterSeconds: 120 });
 */
export function createJobRows<J extends JobRow, P>(sql: SqlOrTx, spec: JobTable<J, P>): JobRows<J, P> {
  const table = sql(spec.table);
  const noun = spec.noun;
  const rows = async (query: Promise<Record<string, unknown>[]>) => (await query).map(spec.toJob);
  return {
    markEnqueued: (id) =>
      withDbErrors(`marking a ${noun} enqueued`, async () => {
        await sql`update ${table} set enqueued_at = coalesce(enqueued_at, now()) where id = ${id}`;
      }),
    findUnenqueued: (olderThanSeconds, limit) =>
      withDbErrors(`finding unenqueued ${noun}s`, () =>
        rows(sql`
          select * from ${table}
          where status = 'QUEUED' and enqueued_at is null and created_at < now() - make_interval(secs => ${olderThanSeconds})
          order by created_at
          limit ${limit}`),
      ),
    getById: (id) =>
      withDbErrors(`reading a ${noun}`, async () => {
        if (!isUuid(id)) return null;
        return (await rows(sql`select * from ${table} where id = ${id}`))[0] ?? null;
      }),
    claim: (id, { staleAfterSeconds }) =>
      // One statement: concurrent claimers serialize on the row lock, and READ COMMITTED re-checks the
      // WHERE against the winner's write, so exactly one of them gets the row.
      withDbErrors(`claiming a ${noun}`, async () => {
        const [job] = await rows(sql`
          update ${table} set
            status = ${spec.running}, attempts = attempts + 1, heartbeat_at = now(), updated_at = now(),
            started_at = coalesce(started_at, now()), ${spec.onClaim(sql)}
          where id = ${id}
            and (status = 'QUEUED' or (status = ${spec.running} and heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds})))
          returning *`);
        return job ? ({ job, attempt: job.attempts } satisfies JobClaim<J>) : null;
      }),
    heartbeat: (id, attempt, progress) =>
      withDbErrors("recording progress", async () => {
        const updated = await sql`
          update ${table} set ${spec.progress(sql, progress)}, heartbeat_at = now(), updated_at = now()
          where id = ${id} and status = ${spec.running} and attempts = ${attempt}
          returning id`;
        return updated.length === 1;
      }),
    fail: (id, attempt, error) => withDbErrors(`failing a ${noun}`, () => fail(sql, spec, id, attempt, error)),
    release: (id, attempt) =>
      withDbErrors(`releasing a ${noun}`, async () => {
        const updated = await sql`
          update ${table} set status = 'QUEUED', heartbeat_at = null, updated_at = now()
          where id = ${id} and status = ${spec.running} and attempts = ${attempt}
          returning id`;
        return updated.length === 1;
      }),
    failAbandoned: ({ maxAttempts, staleAfterSeconds, message }) =>
      withDbErrors(`failing abandoned ${noun}s`, () =>
        rows(sql`
          update ${table} set
            status = 'FAILED', error_code = ${ABANDONED_CODE}, error_message = ${message}, completed_at = now(), updated_at = now()
          where status = ${spec.running} and attempts >= ${maxAttempts}
            and heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds})
          returning *`),
      ),
  };
}

async function fail<J extends JobRow, P>(
  sql: SqlOrTx,
  spec: JobTable<J, P>,
  id: string,
  attempt: number | null,
  error: JobError,
): Promise<boolean> {
  const updated = await sql`
    update ${sql(spec.table)} set
      status = 'FAILED', error_code = ${error.code}, error_message = ${error.message},
      error_details = ${error.details ? sql.json(withoutNul(error.details) as never) : null}, completed_at = now(), updated_at = now()
    where id = ${id}
      and ${attempt === null ? sql`status in ('QUEUED', ${spec.running})` : sql`status = ${spec.running} and attempts = ${attempt}`}
    returning id`;
  return updated.length === 1;
}

/** `error_code` of jobs failed by `failAbandoned`: every attempt's worker stopped heart-beating. */
export const ABANDONED_CODE = "job.attempts_exhausted";
