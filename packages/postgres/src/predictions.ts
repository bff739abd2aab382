import {
  BUILTIN_LEGACY_VERSION,
  BUILTIN_MODEL_ID,
  BUILTIN_MODEL_LABEL,
  isUuid,
  type Completion,
  type NewPrediction,
  type Page,
  type Prediction,
  type PredictionRepository,
  type PredictionStatus,
  type Progress,
} from "@retainwise/core";
import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";
import { withoutNul } from "./json-strings.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { createJobRows, type JobTable } from "./job-rows.ts";

/**
 * Predictions in Postgres. The job part (outbox, claim, attempt-guarded writes, reaper) is the
 * shared job-rows adapter (job-rows.ts); this adds what only predictions have.
 *
 * @example
 *   const predictions = createPostgresPredictionRepository(sql);
 *   const claim = await predictions.claim(id, { staleAfterSeconds: 120 });
 *   if (claim) await predictions.heartbeat(id, claim.attempt, progress);
 */
export function createPostgresPredictionRepository(sql: SqlOrTx): PredictionRepository {
  return {
    ...createJobRows(sql, PREDICTIONS_TABLE),
    create: (input) => withDbErrors("creating a prediction", () => create(sql, input)),
    get: (accountId, id) => withDbErrors("reading a prediction", () => get(sql, accountId, id)),
    list: (accountId, options) => withDbErrors("listing predictions", () => list(sql, accountId, options)),
    complete: (id, attempt, completion) =>
      withDbErrors("completing a prediction", () => complete(sql, id, attempt, completion)),
    cancel: (accountId, id) => withDbErrors("canceling a prediction", () => cancel(sql, accountId, id)),
    remove: (accountId, id) => withDbErrors("deleting a prediction", () => remove(sql, accountId, id)),
    ping: () => withDbErrors("checking the database", async () => void (await sql`select 1`)),
  };
}

/** The predictions table as a job table: RUNNING while scored; progress in rows and bytes. */
const PREDICTIONS_TABLE: JobTable<Prediction, Progress> = {
  table: "predictions",
  running: "RUNNING",
  noun: "prediction",
  toJob: (row) => toPrediction(row as PredictionRow),
  onClaim: (sql) => sql`rows_processed = 0, rows_failed = 0, bytes_read = 0`,
  progress: (sql, p) =>
    sql`rows_processed = ${p.rowsProcessed}, rows_failed = ${p.rowsFailed}, bytes_read = ${p.bytesRead}`,
};

/** Row shape after the camelCase transform; `s3_output_key` is the one column renamed on the way out. */
type PredictionRow = Omit<Prediction, "outputKey"> & { s3OutputKey: string | null };

async function create(sql: SqlOrTx, input: NewPrediction): Promise<Prediction> {
  const [row] = await sql<PredictionRow[]>`
    insert into predictions (id, account_id, input_key, input_filename, input_bytes, model_id, challenger_model_id, id_column, input_columns)
    values (${input.id}, ${input.accountId}, ${input.inputKey}, ${input.inputFilename}, ${input.inputBytes}, ${input.modelId ?? null}, ${input.challengerModelId ?? null}, ${input.idColumn ?? null}, ${storableColumns(sql, input.inputColumns)})
    returning *`;
  return toPrediction(row!);
}

/** As jsonb holds them (json-strings.ts): a name with a NUL matches no model's column either way. */
function storableColumns(sql: SqlOrTx, columns: readonly string[] | null | undefined) {
  return columns ? sql.json(withoutNul([...columns])) : null;
}

async function get(sql: SqlOrTx, accountId: string, id: string): Promise<Prediction | null> {
  // A malformed id can match nothing; answering null here spares callers a 22P02 (invalid uuid).
  if (!isUuid(id)) return null;
  const [row] = await sql<PredictionRow[]>`select * from predictions where id = ${id} and account_id = ${accountId}`;
  return row ? toPrediction(row) : null;
}

/**
 * Newest first, keyset-paginated on (created_at, id). The cursor names the last row shown and the
 * next page starts strictly after it: stable while new predictions arrive, and exact to the
 * microsecond because the comparison happens in SQL (a JS Date would round to milliseconds).
 */
async function list(
  sql: SqlOrTx,
  accountId: string,
  options: { limit: number; cursor?: string | null },
): Promise<Page<Prediction>> {
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

/** One statement, so a completed prediction always has its `index-scores` job (the outbox row the relay re-sends if the worker dies before sending). */
async function complete(sql: SqlOrTx, id: string, attempt: number, completion: Completion): Promise<boolean> {
  const rows = await sql`
    with completed as (
      update predictions set
        status = 'COMPLETED', s3_output_key = ${completion.outputKey},
        rows_processed = ${completion.rowsProcessed}, rows_failed = ${completion.rowsFailed},
        rows_total = ${completion.rowsProcessed},
        metrics = ${sql.json(completion.metrics as never)}, model_version = ${completion.modelVersion},
        drift = ${completion.drift ? sql.json(completion.drift as never) : null},
        error_code = null, error_message = null, completed_at = now(), updated_at = now()
      where id = ${id} and status = 'RUNNING' and attempts = ${attempt}
      returning id, account_id
    ),
    queued as (
      insert into score_indexings (id, account_id, scores_key)
      select id, account_id, ${completion.scoresKey} from completed
      on conflict (id) do nothing
    )
    select id from completed`;
  return rows.length === 1;
}

async function cancel(sql: SqlOrTx, accountId: string, id: string): Promise<Prediction | null> {
  if (!isUuid(id)) return null;
  // Its shards in the same statement: each shard's worker learns it at its next heartbeat.
  const [canceled] = await sql<PredictionRow[]>`
    with canceled as (
      update predictions set status = 'CANCELED', completed_at = now(), updated_at = now()
      where id = ${id} and account_id = ${accountId} and status in ('QUEUED', 'RUNNING', 'SHARDED')
      returning *
    ), shards as (
      update prediction_shards set status = 'CANCELED', completed_at = now(), updated_at = now()
      where prediction_id in (select id from canceled) and status in ('QUEUED', 'RUNNING')
    )
    select * from canceled`;
  return canceled ? toPrediction(canceled) : get(sql, accountId, id);
}

async function remove(sql: SqlOrTx, accountId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await sql`delete from predictions where id = ${id} and account_id = ${accountId} returning id`;
  return rows.length === 1;
}

function toPrediction(row: PredictionRow): Prediction {
  const { s3OutputKey, ...rest } = row;
  return { ...rest, ...builtinNamed(row), status: row.status as PredictionStatus, outputKey: s3OutputKey };
}

/**
 * Predictions the built-in model scored before it had one name stored its card's `v1`: read as
 * `telco-v1`, the name lists and newer results use (their result files keep what they were written with).
 */
function builtinNamed(row: PredictionRow): Pick<Prediction, "modelVersion" | "metrics"> {
  const legacy =
    row.modelVersion === BUILTIN_LEGACY_VERSION && (row.modelId === null || row.modelId === BUILTIN_MODEL_ID);
  if (!legacy) return { modelVersion: row.modelVersion, metrics: row.metrics };
  return {
    modelVersion: BUILTIN_MODEL_LABEL,
    metrics: row.metrics && { ...row.metrics, modelVersion: BUILTIN_MODEL_LABEL },
  };
}
