import { RetainwiseError, type Claim, type Completion, type NewPrediction, type Page, type Prediction, type PredictionRepository, type PredictionStatus, type Progress } from "@retainwise/core";
import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/**
 * Predictions in Postgres. Every write after the claim is one UPDATE guarded by
 * `status = 'RUNNING' and attempts = <attempt>`, so a worker that lost its claim (stalled past the
 * stale threshold, another worker re-claimed) changes nothing and learns it from the `false`.
 *
 * @example
 *   const predictions = createPostgresPredictionRepository(sql);
 *   const claim = await predictions.claim(id, { staleAfterSeconds: 120 });
 *   if (claim) await predictions.heartbeat(id, claim.attempt, progress);
 */
export function createPostgresPredictionRepository(sql: SqlOrTx): PredictionRepository {
  return {
    create: (input) => withDbErrors("creating a prediction", () => create(sql, input)),
    markEnqueued: (id) => withDbErrors("marking a prediction enqueued", () => markEnqueued(sql, id)),
    findUnenqueued: (olderThanSeconds, limit) => withDbErrors("finding unenqueued predictions", () => findUnenqueued(sql, olderThanSeconds, limit)),
    get: (accountId, id) => withDbErrors("reading a prediction", () => get(sql, accountId, id)),
    getById: (id) => withDbErrors("reading a prediction", () => getById(sql, id)),
    list: (accountId, options) => withDbErrors("listing predictions", () => list(sql, accountId, options)),
    claim: (id, options) => withDbErrors("claiming a prediction", () => claim(sql, id, options.staleAfterSeconds)),
    heartbeat: (id, attempt, progress) => withDbErrors("recording progress", () => heartbeat(sql, id, attempt, progress)),
    complete: (id, attempt, completion) => withDbErrors("completing a prediction", () => complete(sql, id, attempt, completion)),
    fail: (id, attempt, error) => withDbErrors("failing a prediction", () => fail(sql, id, attempt, error)),
    release: (id, attempt) => withDbErrors("releasing a prediction", () => release(sql, id, attempt)),
    cancel: (accountId, id) => withDbErrors("canceling a prediction", () => cancel(sql, accountId, id)),
    remove: (accountId, id) => withDbErrors("deleting a prediction", () => remove(sql, accountId, id)),
    failAbandoned: (options) => withDbErrors("failing abandoned predictions", () => failAbandoned(sql, options)),
    ping: () => withDbErrors("checking the database", async () => void (await sql`select 1`)),
  };
}

/** Row shape after the camelCase transform; `s3_output_key` is the one column renamed on the way out. */
type PredictionRow = Omit<Prediction, "outputKey"> & { s3OutputKey: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function create(sql: SqlOrTx, input: NewPrediction): Promise<Prediction> {
  const [row] = await sql<PredictionRow[]>`
    insert into predictions (id, account_id, input_key, input_filename, input_bytes)
    values (${input.id}, ${input.accountId}, ${input.inputKey}, ${input.inputFilename}, ${input.inputBytes})
    returning *`;
  return toPrediction(row!);
}

async function markEnqueued(sql: SqlOrTx, id: string): Promise<void> {
  await sql`update predictions set enqueued_at = coalesce(enqueued_at, now()) where id = ${id}`;
}

async function findUnenqueued(sql: SqlOrTx, olderThanSeconds: number, limit: number): Promise<Prediction[]> {
  const rows = await sql<PredictionRow[]>`
    select * from predictions
    where status = 'QUEUED' and enqueued_at is null and created_at < now() - make_interval(secs => ${olderThanSeconds})
    order by created_at
    limit ${limit}`;
  return rows.map(toPrediction);
}

async function get(sql: SqlOrTx, accountId: string, id: string): Promise<Prediction | null> {
  // A malformed id can match nothing; answering null here spares callers a 22P02 (invalid uuid).
  if (!UUID.test(id)) return null;
  const [row] = await sql<PredictionRow[]>`select * from predictions where id = ${id} and account_id = ${accountId}`;
  return row ? toPrediction(row) : null;
}

async function getById(sql: SqlOrTx, id: string): Promise<Prediction | null> {
  if (!UUID.test(id)) return null;
  const [row] = await sql<PredictionRow[]>`select * from predictions where id = ${id}`;
  return row ? toPrediction(row) : null;
}

/**
 * Newest first, keyset-paginated on (created_at, id). The cursor names the last row shown and the
 * next page starts strictly after it: stable while new predictions arrive, and exact to the
 * microsecond because the comparison happens in SQL (a JS Date would round to milliseconds).
 */
async function list(sql: SqlOrTx, accountId: string, options: { limit: number; cursor?: string | null }): Promise<Page<Prediction>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await sql<PredictionRow[]>`
    select * from predictions p
    where p.account_id = ${accountId}
      ${after ? sql`and (p.created_at, p.id) < (select c.created_at, c.id from predictions c where c.id = ${after} and c.account_id = ${accountId})` : sql``}
    order by p.created_at desc, p.id desc
    limit ${options.limit + 1}`;
  const items = rows.slice(0, options.limit).map(toPrediction);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last.id) : null };
}

async function claim(sql: SqlOrTx, id: string, staleAfterSeconds: number): Promise<Claim | null> {
  // One statement: concurrent claimers serialize on the row lock, and READ COMMITTED re-checks the
  // WHERE against the winner's write, so exactly one of them gets the row.
  const [row] = await sql<PredictionRow[]>`
    update predictions set
      status = 'RUNNING', attempts = attempts + 1, heartbeat_at = now(), updated_at = now(),
      started_at = coalesce(started_at, now()), rows_processed = 0, rows_failed = 0, bytes_read = 0
    where id = ${id}
      and (status = 'QUEUED' or (status = 'RUNNING' and heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds})))
    returning *`;
  return row ? { prediction: toPrediction(row), attempt: row.attempts } : null;
}

async function heartbeat(sql: SqlOrTx, id: string, attempt: number, progress: Progress): Promise<boolean> {
  const rows = await sql`
    update predictions set
      rows_processed = ${progress.rowsProcessed}, rows_failed = ${progress.rowsFailed}, bytes_read = ${progress.bytesRead},
      heartbeat_at = now(), updated_at = now()
    where id = ${id} and status = 'RUNNING' and attempts = ${attempt}
    returning id`;
  return rows.length === 1;
}

async function complete(sql: SqlOrTx, id: string, attempt: number, completion: Completion): Promise<boolean> {
  const rows = await sql`
    update predictions set
      status = 'COMPLETED', s3_output_key = ${completion.outputKey},
      rows_processed = ${completion.rowsProcessed}, rows_failed = ${completion.rowsFailed},
      rows_total = ${completion.rowsProcessed},
      metrics = ${sql.json(completion.metrics as never)}, model_version = ${completion.modelVersion},
      error_code = null, error_message = null, completed_at = now(), updated_at = now()
    where id = ${id} and status = 'RUNNING' and attempts = ${attempt}
    returning id`;
  return rows.length === 1;
}

async function fail(sql: SqlOrTx, id: string, attempt: number | null, error: { code: string; message: string }): Promise<boolean> {
  const rows = await sql`
    update predictions set
      status = 'FAILED', error_code = ${error.code}, error_message = ${error.message}, completed_at = now(), updated_at = now()
    where id = ${id}
      and ${attempt === null ? sql`status in ('QUEUED', 'RUNNING')` : sql`status = 'RUNNING' and attempts = ${attempt}`}
    returning id`;
  return rows.length === 1;
}

async function release(sql: SqlOrTx, id: string, attempt: number): Promise<boolean> {
  const rows = await sql`
    update predictions set status = 'QUEUED', heartbeat_at = null, updated_at = now()
    where id = ${id} and status = 'RUNNING' and attempts = ${attempt}
    returning id`;
  return rows.length === 1;
}

async function cancel(sql: SqlOrTx, accountId: string, id: string): Promise<Prediction | null> {
  if (!UUID.test(id)) return null;
  const [canceled] = await sql<PredictionRow[]>`
    update predictions set status = 'CANCELED', completed_at = now(), updated_at = now()
    where id = ${id} and account_id = ${accountId} and status in ('QUEUED', 'RUNNING')
    returning *`;
  return canceled ? toPrediction(canceled) : get(sql, accountId, id);
}

async function remove(sql: SqlOrTx, accountId: string, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const rows = await sql`delete from predictions where id = ${id} and account_id = ${accountId} returning id`;
  return rows.length === 1;
}

async function failAbandoned(sql: SqlOrTx, options: { maxAttempts: number; staleAfterSeconds: number; message: string }): Promise<Prediction[]> {
  const rows = await sql<PredictionRow[]>`
    update predictions set
      status = 'FAILED', error_code = ${ABANDONED_CODE}, error_message = ${options.message}, completed_at = now(), updated_at = now()
    where status = 'RUNNING' and attempts >= ${options.maxAttempts}
      and heartbeat_at < now() - make_interval(secs => ${options.staleAfterSeconds})
    returning *`;
  return rows.map(toPrediction);
}

/** `error_code` of jobs failed by `failAbandoned`: every attempt's worker stopped heart-beating. */
export const ABANDONED_CODE = "job.attempts_exhausted";

function toPrediction(row: PredictionRow): Prediction {
  const { s3OutputKey, ...rest } = row;
  return { ...rest, status: row.status as PredictionStatus, outputKey: s3OutputKey };
}

function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!UUID.test(id)) {
    throw new RetainwiseError("request.invalid_cursor", "The cursor is not valid: pass the nextCursor value from the previous page unchanged.");
  }
  return id;
}
