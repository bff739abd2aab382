-- The job registry (packages/core/src/jobs/registry.ts): one spec per kind, each kind's rows in its
-- own table with ONE shared set of job columns. `job_rows` holds that set and nothing else; every
-- job table inherits it, so the columns the shared adapter (packages/postgres/src/job-rows.ts)
-- reads and writes are declared once, and a column added here reaches every kind. A new kind is
-- `create table ... () inherits (job_rows)` plus its outbox and reaper indexes.
--
-- Nothing reads `job_rows` itself (a select on it would list every kind's rows): it is the type.
create table job_rows (
  id uuid not null,
  status text not null default 'QUEUED',
  -- Claims so far; every write after a claim is guarded by `attempts = <the claim's attempt>`.
  attempts integer not null default 0,
  -- Null until the job message was sent: the outbox relay re-sends those.
  enqueued_at timestamptz,
  heartbeat_at timestamptz,
  error_code text,
  error_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz
);

-- The two job tables made before the registry already have these columns (0002, 0004), with the
-- same types and NOT NULLs, which INHERIT checks: their rows, queued or running, stay as they are.
alter table predictions inherit job_rows;
alter table models inherit job_rows;

-- `index-scores`: copies a completed prediction's scores (its scores file beside the result CSV)
-- into prediction_scores, where outcomes are joined with them. One per prediction, same id.
create table score_indexings (
  id uuid primary key references predictions (id) on delete cascade,
  account_id uuid not null references accounts (id) on delete cascade,
  -- The scores file beside the result (packages/core/src/jobs/prediction.ts, scoresKeyFor); null for
  -- predictions scored before scores files existed: their result CSV is read (outcomes/legacy-scores.ts).
  scores_key text,
  rows_indexed bigint not null default 0,
  check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED'))
) inherits (job_rows);

-- Outbox relay and reaper, as for predictions and models; and the API's wait for an account's copies.
create index score_indexings_unenqueued_idx on score_indexings (created_at) where status = 'QUEUED' and enqueued_at is null;
create index score_indexings_running_heartbeat_idx on score_indexings (heartbeat_at) where status = 'RUNNING';
create index score_indexings_pending_idx on score_indexings (account_id) where status in ('QUEUED', 'RUNNING');

-- Predictions completed before the registry whose scores were never copied (the old indexer copied
-- only for accounts with outcomes, or on a request): queued unsent, so the relay sends them; made
-- an hour back, past the relay's grace period (which spares rows whose API request is still sending).
insert into score_indexings (id, account_id, created_at)
select p.id, p.account_id, now() - interval '1 hour' from predictions p
where p.status = 'COMPLETED' and not exists (select 1 from prediction_score_sets s where s.prediction_id = p.id);

-- Training from a prediction's outcomes (POST /v1/models?fromPrediction=): the worker builds the
-- training file from the prediction's input and its customers' outcomes, so such a model has no
-- uploaded input_key but this. A prediction deleted before the training ran leaves both null: the
-- job fails saying so.
alter table models add column source_prediction_id uuid references predictions (id) on delete set null;
