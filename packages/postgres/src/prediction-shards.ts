import { randomUUID } from "node:crypto";
import type {
  JobError,
  PredictionShard,
  PredictionStatus,
  Progress,
  ShardRepository,
  ShardResult,
  ShardSettled,
} from "@retainwise/core";
import type { Sql, TransactionSql } from "./connect.ts";
import { withDbErrors } from "./errors.ts";
import { mapStrings } from "./json-strings.ts";
import { createJobRows, type JobTable } from "./job-rows.ts";

/**
 * Shards in Postgres (`prediction_shards`, migration 0012): the shared job-rows adapter plus the
 * split, the prediction's progress, and settling. Every write that settles a shard (complete, fail,
 * the reaper's) is one transaction that first locks the prediction's row: two shards settling at
 * once are serialized there, so exactly one of them sees no shard left QUEUED or RUNNING and puts
 * the prediction back to QUEUED for its merge. A failed shard also cancels the shards after it
 * (in file order only the first failure is reported, and the shards before it are still needed
 * for its row numbers).
 *
 * @example
 *   const shards = createPostgresShardRepository(sql);
 *   const ids = await shards.split(predictionId, attempt, [{ index: 0, startByte: 120, endByte: 9_000_000 }, …], []);
 */
export function createPostgresShardRepository(sql: Sql): ShardRepository {
  const rows = createJobRows(sql, SHARDS_TABLE);
  const failShard = (id: string, attempt: number | null, error: JobError) =>
    withDbErrors("failing a shard", () =>
      settle(
        sql,
        id,
        { cancelLater: true },
        (tx) => tx`
        update prediction_shards set
          status = 'FAILED', error_code = ${error.code}, error_message = ${storable(error.message)}, completed_at = now(), updated_at = now()
        where id = ${id}
          and ${attempt === null ? tx`status in ('QUEUED', 'RUNNING')` : tx`status = 'RUNNING' and attempts = ${attempt}`}
        returning id`,
      ),
    );
  return {
    ...rows,
    split: (predictionId, attempt, shards, actionable) =>
      withDbErrors("splitting a prediction into shards", () =>
        sql.begin(async (tx) => {
          const [split] = await tx`
            update predictions set status = 'SHARDED', heartbeat_at = null, updated_at = now()
            where id = ${predictionId} and status = 'RUNNING' and attempts = ${attempt}
            returning id`;
          if (!split) return null;
          const ids = shards.map(() => randomUUID());
          await tx`
            insert into prediction_shards (id, prediction_id, shard_index, start_byte, end_byte, actionable)
            select unnest(${tx.array(ids)}::uuid[]), ${predictionId}, unnest(${tx.array(shards.map((s) => s.index))}::integer[]),
              unnest(${tx.array(shards.map((s) => String(s.startByte)))}::bigint[]), unnest(${tx.array(shards.map((s) => String(s.endByte)))}::bigint[]),
              ${tx.array([...actionable])}::text[]`;
          return ids;
        }),
      ),
    listFor: (predictionId) =>
      withDbErrors("listing a prediction's shards", async () =>
        (await sql`select * from prediction_shards where prediction_id = ${predictionId} order by shard_index`).map(
          SHARDS_TABLE.toJob,
        ),
      ),
    heartbeat: async (id, attempt, progress) => {
      const ours = await rows.heartbeat(id, attempt, progress);
      // The prediction's own progress is its shards' sum: what the API shows while it is SHARDED.
      if (ours) {
        await withDbErrors(
          "recording a prediction's progress",
          () => sql`
          update predictions p set rows_processed = s.rows, rows_failed = s.failed, bytes_read = s.bytes, updated_at = now()
          from (
            select sum(rows_processed) as rows, sum(rows_failed) as failed, sum(bytes_read) as bytes from prediction_shards
            where prediction_id = (select prediction_id from prediction_shards where id = ${id})
          ) s
          where p.id = (select prediction_id from prediction_shards where id = ${id}) and p.status = 'SHARDED'`,
        );
      }
      return ours;
    },
    complete: (id, attempt, result) =>
      withDbErrors("completing a shard", () =>
        settle(
          sql,
          id,
          { cancelLater: false },
          (tx) => tx`
          update prediction_shards set
            status = 'COMPLETED', result = ${tx.json(mapStrings(result, storable) as never)},
            rows_processed = ${result.summary.rowsScored + result.summary.rowsFailed}, rows_failed = ${result.summary.rowsFailed},
            bytes_read = end_byte - start_byte, error_code = null, error_message = null, completed_at = now(), updated_at = now()
          where id = ${id} and status = 'RUNNING' and attempts = ${attempt}
          returning id`,
        ),
      ),
    failShard,
    fail: async (id, attempt, error) => (await failShard(id, attempt, error)).settled,
    failAbandoned: ({ maxAttempts, staleAfterSeconds, message }) =>
      withDbErrors("failing abandoned shards", async () => {
        const stale = (tx: Sql | TransactionSql) =>
          tx`status = 'RUNNING' and attempts >= ${maxAttempts} and heartbeat_at < now() - make_interval(secs => ${staleAfterSeconds})`;
        const candidates = await sql<{ id: string }[]>`select id from prediction_shards where ${stale(sql)}`;
        const failed: PredictionShard[] = [];
        for (const { id } of candidates) {
          const outcome = await settle(
            sql,
            id,
            { cancelLater: true },
            (tx) => tx`
            update prediction_shards set
              status = 'FAILED', error_code = ${ABANDONED_CODE}, error_message = ${storable(message)}, completed_at = now(), updated_at = now()
            where id = ${id} and ${stale(tx)}
            returning id`,
          );
          const shard = outcome.settled ? await rows.getById(id) : null;
          if (shard) failed.push(shard);
        }
        return failed;
      }),
  };
}

/** `error_code` of shards failed by the reaper, as for every job table (job-rows.ts). */
const ABANDONED_CODE = "job.attempts_exhausted";

/**
 * Runs `write` (an UPDATE of the shard that returns it when it applied) with the prediction's row
 * locked, then cancels the shards after it (`cancelLater`) and, if no shard is left QUEUED or
 * RUNNING, puts the SHARDED prediction back to QUEUED with its message unsent (the outbox).
 */
async function settle(
  sql: Sql,
  shardId: string,
  options: { cancelLater: boolean },
  write: (tx: TransactionSql) => PromiseLike<readonly unknown[]>,
): Promise<ShardSettled> {
  return sql.begin(async (tx) => {
    const [parent] = await tx<{ id: string; shardIndex: number }[]>`
      select p.id, s.shard_index from predictions p join prediction_shards s on s.prediction_id = p.id
      where s.id = ${shardId}
      for update of p`;
    if (!parent) return { predictionId: null, settled: false, predictionQueued: false };
    if ((await write(tx)).length === 0) return { predictionId: parent.id, settled: false, predictionQueued: false };
    if (options.cancelLater) {
      await tx`
        update prediction_shards set status = 'CANCELED', completed_at = now(), updated_at = now()
        where prediction_id = ${parent.id} and shard_index > ${parent.shardIndex} and status in ('QUEUED', 'RUNNING')`;
    }
    const queued = await tx`
      update predictions set status = 'QUEUED', enqueued_at = null, heartbeat_at = null, updated_at = now()
      where id = ${parent.id} and status = 'SHARDED'
        and not exists (select 1 from prediction_shards where prediction_id = ${parent.id} and status in ('QUEUED', 'RUNNING'))
      returning id`;
    return { predictionId: parent.id, settled: true, predictionQueued: queued.length === 1 };
  }) as Promise<ShardSettled>;
}

/** The shards table as a job table: RUNNING while scored; progress in rows and bytes, reset by a claim. */
const SHARDS_TABLE: JobTable<PredictionShard, Progress> = {
  table: "prediction_shards",
  running: "RUNNING",
  noun: "shard",
  toJob: (row) => {
    const { shardIndex, result, status, errorMessage, ...rest } = row as Omit<PredictionShard, "index"> & {
      shardIndex: number;
      result: ShardResult | null;
    };
    return {
      ...rest,
      status: status as PredictionStatus,
      index: shardIndex,
      errorMessage: errorMessage && stored(errorMessage),
      result: result && mapStrings(result, stored),
    };
  },
  onClaim: (sql) => sql`rows_processed = 0, rows_failed = 0, bytes_read = 0`,
  progress: (sql, p) =>
    sql`rows_processed = ${p.rowsProcessed}, rows_failed = ${p.rowsFailed}, bytes_read = ${p.bytesRead}`,
};

/**
 * A shard's summary and errors still hold position placeholders, which are NUL-delimited
 * (csv/positions.ts), and PostgreSQL text and jsonb cannot hold NUL: stored as `\0`, with
 * backslashes doubled so that any text reads back as it was.
 */
function storable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the one character Postgres text cannot hold.
  return text.replace(/[\\\u0000]/g, (c) => (c === "\\" ? "\\\\" : "\\0"));
}

function stored(text: string): string {
  return text.replace(/\\([\\0])/g, (_, c: string) => (c === "0" ? "\u0000" : "\\"));
}
