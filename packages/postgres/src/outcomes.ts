import type { PredictionDigest, LabeledScore, Outcome, OutcomeRepository, ScoredCustomer } from "@retainwise/core";
import type { Sql, SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/**
 * Outcomes and the per-customer scores they join with. Every join names the account on both sides
 * (`o.account_id = p.account_id`), so one account's outcomes never meet another's predictions even
 * when customer ids collide.
 *
 * @example
 *   const outcomes = createPostgresOutcomeRepository(sql);
 *   await outcomes.upsert(accountId, uploadId, [{ customerId: "7590-VHVEG", churned: true, observedAt: new Date() }]);
 */
export function createPostgresOutcomeRepository(sql: Sql): OutcomeRepository {
  return {
    upsert: (accountId, uploadId, outcomes) =>
      withDbErrors("saving outcomes", () => upsert(sql, accountId, uploadId, outcomes)),
    countMatched: (accountId, uploadId) =>
      withDbErrors("matching outcomes to predictions", () => countMatched(sql, accountId, uploadId)),
    pendingScoreCopies: (accountId, ids) =>
      withDbErrors("counting pending score copies", () => pendingScoreCopies(sql, accountId, ids)),
    indexScores: (predictionId, batches) =>
      withDbErrors("indexing a prediction's scores", () => indexScores(sql, predictionId, batches)),
    labeledScores: (accountId, predictionIds) =>
      withDbErrors("joining outcomes with predictions", () => labeledScores(sql, accountId, predictionIds)),
    predictionDigests: (accountId, filter) =>
      withDbErrors("reading predictions for insights", () => predictionDigests(sql, accountId, filter)),
    labelsFor: (accountId, predictionId) =>
      withDbErrors("reading a prediction's outcomes", () => labelsFor(sql, accountId, predictionId)),
    counts: (accountId) => withDbErrors("counting outcomes", () => counts(sql, accountId)),
  };
}

async function upsert(sql: SqlOrTx, accountId: string, uploadId: string, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  // unnest() sends the batch as four arrays: one statement, no per-row parameters.
  await sql`
    insert into outcomes (account_id, customer_id, churned, observed_at, upload_id)
    select ${accountId}::uuid, c, ch, o, ${uploadId}::uuid
    from unnest(
      ${sql.array(outcomes.map((x) => x.customerId))}::text[],
      ${sql.array(outcomes.map((x) => x.churned))}::boolean[],
      ${sql.array(outcomes.map((x) => x.observedAt.toISOString()))}::timestamptz[]) as t(c, ch, o)
    on conflict (account_id, customer_id) do update
      set churned = excluded.churned, observed_at = excluded.observed_at, upload_id = excluded.upload_id, received_at = now()
      where excluded.observed_at >= outcomes.observed_at`;
}

async function countMatched(sql: SqlOrTx, accountId: string, uploadId: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from outcomes o
    where o.account_id = ${accountId} and o.upload_id = ${uploadId}
      and exists (
        select 1 from prediction_scores s join predictions p on p.id = s.prediction_id
        where s.customer_id = o.customer_id and p.account_id = o.account_id and p.created_at < o.observed_at)`;
  return row!.count;
}

/** Copies running, or queued and never tried: one queued again after a failed attempt waits out its backoff, and a request must not wait with it. */
async function pendingScoreCopies(sql: SqlOrTx, accountId: string, ids?: readonly string[]): Promise<number> {
  if (ids?.length === 0) return 0;
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from score_indexings
    where account_id = ${accountId} and (status = 'RUNNING' or (status = 'QUEUED' and attempts = 0))
      ${ids ? sql`and id = any(${sql.array(ids as string[])}::uuid[])` : sql``}`;
  return row!.count;
}

/** First key of the per-prediction advisory lock that serializes copies of its scores ("scor" in ASCII). */
const SCORE_COPY_LOCK = 0x73636f72;

/**
 * One transaction per prediction at a time: two attempts of its `index-scores` job may overlap (a
 * stalled one not yet abandoned and its retry). Under the lock the second one finds the set
 * recorded and returns, and a reader sees either no rows or all of them, never a copy in
 * progress. A copy cut short (crash, error) rolls back whole.
 */
async function indexScores(sql: Sql, predictionId: string, batches: AsyncIterable<ScoredCustomer[]>): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${SCORE_COPY_LOCK}, hashtext(${predictionId}))`;
    const [done] = await tx<
      { rows: number }[]
    >`select rows::int as rows from prediction_score_sets where prediction_id = ${predictionId}`;
    if (done) return done.rows;
    let rows = 0;
    for await (const batch of batches) {
      // A customer listed twice in one file keeps its first score.
      await tx`
        insert into prediction_scores (prediction_id, customer_id, probability, challenger_probability)
        select ${predictionId}::uuid, c, p, cp
        from unnest(
          ${tx.array(batch.map((s) => s.customerId))}::text[],
          ${tx.array(batch.map((s) => s.probability))}::float8[],
          ${tx.array(batch.map((s) => s.challengerProbability ?? null) as number[])}::float8[]) as t(c, p, cp)
        on conflict do nothing`;
      rows += batch.length;
    }
    await tx`insert into prediction_score_sets (prediction_id, rows) values (${predictionId}, ${rows})`;
    return rows;
  }) as Promise<number>;
}

async function labeledScores(
  sql: SqlOrTx,
  accountId: string,
  predictionIds: readonly string[],
): Promise<LabeledScore[]> {
  if (predictionIds.length === 0) return [];
  // Only outcomes observed after the prediction was made: an outcome known at scoring time says nothing about the forecast.
  return sql<LabeledScore[]>`
    select s.prediction_id, s.probability, s.challenger_probability, o.churned
    from prediction_scores s
    join predictions p on p.id = s.prediction_id
    join outcomes o on o.account_id = p.account_id and o.customer_id = s.customer_id
    where p.account_id = ${accountId} and s.prediction_id = any(${sql.array(predictionIds as string[])}::uuid[]) and o.observed_at > p.created_at
    order by s.prediction_id, s.customer_id`;
}

async function predictionDigests(
  sql: SqlOrTx,
  accountId: string,
  filter: { from?: Date; to?: Date; modelId?: string; builtinModelId?: string },
): Promise<PredictionDigest[]> {
  const { from, to, modelId, builtinModelId } = filter;
  const ofModel =
    modelId === undefined
      ? sql``
      : modelId === builtinModelId
        ? sql`and (model_id = ${modelId} or model_id is null)`
        : sql`and model_id = ${modelId}`;
  return sql<PredictionDigest[]>`
    select id, status, created_at, model_id, input_filename,
      case when metrics is null then null else jsonb_build_object('rowsScored', metrics->'rowsScored', 'meanProbability', metrics->'meanProbability', 'riskCounts', metrics->'riskCounts') end as metrics,
      case when drift is null then null else jsonb_build_object(
        'rows', drift->'rows',
        'maxPsi', (select max((c->>'psi')::float8) from jsonb_array_elements(drift->'columns') c),
        'flaggedColumns', coalesce((select jsonb_agg(c->>'label') from jsonb_array_elements(drift->'columns') c where (c->>'flagged')::boolean), '[]'::jsonb)) end as drift
    from predictions
    where account_id = ${accountId}
      ${from ? sql`and created_at >= ${from}` : sql``}
      ${to ? sql`and created_at < ${to}` : sql``}
      ${ofModel}
    order by created_at, id`;
}

async function labelsFor(sql: SqlOrTx, accountId: string, predictionId: string): Promise<Map<string, boolean>> {
  const rows = await sql<{ customerId: string; churned: boolean }[]>`
    select s.customer_id, o.churned from prediction_scores s
    join predictions p on p.id = s.prediction_id
    join outcomes o on o.account_id = p.account_id and o.customer_id = s.customer_id
    where s.prediction_id = ${predictionId} and p.account_id = ${accountId} and o.observed_at > p.created_at`;
  return new Map(rows.map((r) => [r.customerId, r.churned]));
}

async function counts(
  sql: SqlOrTx,
  accountId: string,
): Promise<{ customers: number; churned: number; lastObservedAt: Date | null }> {
  const [row] = await sql<{ customers: number; churned: number; lastObservedAt: Date | null }[]>`
    select count(*)::int as customers, count(*) filter (where churned)::int as churned, max(observed_at) as last_observed_at
    from outcomes where account_id = ${accountId}`;
  return row!;
}
