import {
  BUILTIN_MODEL_ID,
  isUuid,
  modelMetrics,
  tooManyTrainings,
  type Model,
  type ModelCard,
  type ModelRepository,
  type ModelSettings,
  type NewModel,
  type Page,
  type TrainedModel,
  type TrainingProgress,
} from "@retainwise/core";
import type { SqlOrTx, TransactionSql } from "./connect.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { withDbErrors } from "./errors.ts";
import { createJobRows, type JobTable } from "./job-rows.ts";

/**
 * Models in Postgres: the shared job-rows adapter (TRAINING while trained) plus versions per
 * account and name, the built-in model every account sees, soft deletion and the account's default.
 *
 * @example
 *   const models = createPostgresModelRepository(sql);
 *   const model = await models.create({ id, accountId, name: "bank", labelColumn: "churn", positiveValue: null, inputKey, inputFilename, inputBytes });
 *   model.version; // 1, then 2 for the next "bank"
 */
export function createPostgresModelRepository(sql: SqlOrTx): ModelRepository {
  return {
    ...createJobRows(sql, MODELS_TABLE),
    create: (input, options) => withDbErrors("creating a model", () => create(sql, input, options?.maxInProgress)),
    get: (accountId, id) => withDbErrors("reading a model", () => get(sql, accountId, id)),
    list: (accountId, options) => withDbErrors("listing models", () => list(sql, accountId, options)),
    complete: (id, attempt, trained) => withDbErrors("completing a model", () => complete(sql, id, attempt, trained)),
    remove: (accountId, id) => withDbErrors("deleting a model", () => remove(sql, accountId, id)),
    countInProgress: (accountId) => withDbErrors("counting trainings", () => countInProgress(sql, accountId)),
    defaultModelId: (accountId) => withDbErrors("reading the default model", () => defaultModelId(sql, accountId)),
    setDefaultModel: (accountId, modelId) =>
      withDbErrors("setting the default model", () => setDefaultModel(sql, accountId, modelId)),
    settings: (accountId, modelId) =>
      withDbErrors("reading a model's settings", () => settings(sql, accountId, modelId)),
    saveSettings: (accountId, modelId, saved) =>
      withDbErrors("saving a model's settings", () => saveSettings(sql, accountId, modelId, saved)),
    registerBuiltin: (card, keys) =>
      withDbErrors("registering the built-in model", () => registerBuiltin(sql, card, keys)),
  };
}

const MODELS_TABLE: JobTable<Model, TrainingProgress> = {
  table: "models",
  running: "TRAINING",
  noun: "model",
  toJob: (row) => row as unknown as Model,
  onClaim: (sql) => sql`progress_phase = null, progress_percent = 0`,
  progress: (sql, p) => sql`progress_phase = ${p.phase}, progress_percent = ${p.percent}`,
};

/** First key of the per-account advisory lock that serializes model creation ("models" in ASCII). */
const MODEL_CREATION_LOCK = 0x6d6f646c;

/**
 * One transaction per account at a time (advisory lock): the in-progress count, the next version
 * and the insert are then decided together, so two simultaneous uploads can neither both pass the
 * limit nor pick the same version. The lock is taken in its own statement because under READ
 * COMMITTED the insert's snapshot must start after the previous holder committed.
 */
async function create(sql: SqlOrTx, input: NewModel, maxInProgress?: number): Promise<Model> {
  return inTransaction(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(${MODEL_CREATION_LOCK}, hashtext(${input.accountId}))`;
    // An aggregate without GROUP BY yields one row even over no rows: HAVING is what can refuse it.
    const [row] = await tx<Model[]>`
      insert into models (id, account_id, name, version, label_column, positive_value, input_key, source_prediction_id, input_filename, input_bytes)
      select ${input.id}, ${input.accountId}, ${input.name}, coalesce(max(version), 0) + 1,
             ${input.labelColumn}, ${input.positiveValue}, ${input.inputKey}, ${input.sourcePredictionId ?? null}, ${input.inputFilename}, ${input.inputBytes}
      from models where account_id = ${input.accountId} and name = ${input.name}
      ${maxInProgress === undefined ? tx`` : tx`having (select count(*) from models where account_id = ${input.accountId} and status in ('QUEUED', 'TRAINING')) < ${maxInProgress}`}
      returning *`;
    if (!row) throw tooManyTrainings(maxInProgress!);
    return row;
  });
}

/** Runs `work` in a transaction: a new one on a pool, the caller's when `sql` already is one. */
function inTransaction<T>(sql: SqlOrTx, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return "begin" in sql ? (sql.begin((tx) => work(tx)) as Promise<T>) : work(sql);
}

async function get(sql: SqlOrTx, accountId: string, id: string): Promise<Model | null> {
  if (!isUuid(id)) return null;
  const [row] = await sql<Model[]>`
    select * from models where id = ${id} and (account_id = ${accountId} or account_id is null) and deleted_at is null`;
  return row ?? null;
}

/**
 * Newest first, keyset-paginated on (created_at, id) like predictions. The built-in model was
 * created by the migration, before any account's model, so it comes last.
 */
async function list(
  sql: SqlOrTx,
  accountId: string,
  options: { limit: number; cursor?: string | null },
): Promise<Page<Model>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await sql<Model[]>`
    select * from models m
    where (m.account_id = ${accountId} or m.account_id is null) and m.deleted_at is null
      ${after ? sql`and (m.created_at, m.id) < (select c.created_at, c.id from models c where c.id = ${after})` : sql``}
    order by m.created_at desc, m.id desc
    limit ${options.limit + 1}`;
  const items = rows.slice(0, options.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last.id) : null };
}

async function complete(sql: SqlOrTx, id: string, attempt: number, trained: TrainedModel): Promise<boolean> {
  const rows = await sql`
    update models set
      status = 'READY', onnx_key = ${trained.onnxKey}, card_key = ${trained.cardKey},
      card = ${sql.json(trained.card as never)}, metrics = ${sql.json(trained.metrics as never)}, rows_total = ${trained.rows},
      input_bytes = coalesce(${trained.inputBytes ?? null}, input_bytes),
      progress_phase = 'done', progress_percent = 100, error_code = null, error_message = null, completed_at = now(), updated_at = now()
    where id = ${id} and status = 'TRAINING' and attempts = ${attempt}
    returning id`;
  return rows.length === 1;
}

/** Soft delete, canceling training not yet finished; the account's default falls back to the built-in model. */
async function remove(sql: SqlOrTx, accountId: string, id: string): Promise<Model | null> {
  if (!isUuid(id)) return null;
  const [before] = await sql<Model[]>`
    with before as (select * from models where id = ${id} and account_id = ${accountId} and deleted_at is null for update),
    deleted as (
      update models m set
        deleted_at = now(), updated_at = now(),
        status = case when m.status in ('QUEUED', 'TRAINING') then 'CANCELED' else m.status end,
        completed_at = coalesce(m.completed_at, now())
      from before where m.id = before.id
      returning m.id
    ),
    undefaulted as (update accounts set default_model_id = null where id = ${accountId} and default_model_id in (select id from deleted))
    select * from before`;
  return before ?? null;
}

async function countInProgress(sql: SqlOrTx, accountId: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from models where account_id = ${accountId} and status in ('QUEUED', 'TRAINING')`;
  return row!.count;
}

async function defaultModelId(sql: SqlOrTx, accountId: string): Promise<string> {
  const [row] = await sql<
    { defaultModelId: string | null }[]
  >`select default_model_id from accounts where id = ${accountId}`;
  return row?.defaultModelId ?? BUILTIN_MODEL_ID;
}

async function setDefaultModel(sql: SqlOrTx, accountId: string, modelId: string): Promise<void> {
  await sql`update accounts set default_model_id = ${modelId === BUILTIN_MODEL_ID ? null : modelId} where id = ${accountId}`;
}

async function settings(sql: SqlOrTx, accountId: string, modelId: string): Promise<ModelSettings> {
  const [row] = await sql<
    { actionable: string[] }[]
  >`select actionable from model_settings where account_id = ${accountId} and model_id = ${modelId}`;
  return { actionable: row?.actionable ?? [] };
}

async function saveSettings(
  sql: SqlOrTx,
  accountId: string,
  modelId: string,
  saved: ModelSettings,
): Promise<ModelSettings> {
  const [row] = await sql<{ actionable: string[] }[]>`
    insert into model_settings (account_id, model_id, actionable) values (${accountId}, ${modelId}, ${sql.array(saved.actionable)})
    on conflict (account_id, model_id) do update set actionable = excluded.actionable, updated_at = now()
    returning actionable`;
  return { actionable: row!.actionable };
}

async function registerBuiltin(
  sql: SqlOrTx,
  card: ModelCard | undefined,
  keys: { onnxKey: string; cardKey: string | null },
): Promise<void> {
  const rows = card?.trainingData.rows ?? null;
  const positive = Math.round((card?.trainingData.positiveRate ?? 0) * (rows ?? 0));
  const metrics = card ? modelMetrics(card, { positive, negative: rows! - positive }) : null;
  await sql`
    update models set
      card = ${card ? sql.json(card as never) : null}, metrics = ${metrics ? sql.json(metrics as never) : null}, rows_total = ${rows},
      label_column = ${card?.label.column ?? "Churn"}, positive_value = ${card?.label.positive ?? null},
      onnx_key = ${keys.onnxKey}, card_key = ${keys.cardKey}, progress_phase = 'done', progress_percent = 100
    where id = ${BUILTIN_MODEL_ID} and onnx_key is distinct from ${keys.onnxKey}`;
}
