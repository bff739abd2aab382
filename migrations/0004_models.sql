-- Churn models as a resource: each account trains its own from a labeled CSV (a job like a
-- prediction: outbox, claim, heartbeat, attempts; packages/core/src/jobs/model.ts), and scores with
-- it. One built-in model, shipped with the program (models/churn-v1.onnx), belongs to no account:
-- every account may use it, and it is the default until an account picks another.
create table models (
  id uuid primary key,
  -- Null for the built-in model only.
  account_id uuid references accounts (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  -- 1, 2, … per account and name: shown as v1, v2.
  version integer not null check (version >= 1),
  status text not null default 'QUEUED'
    check (status in ('QUEUED', 'TRAINING', 'READY', 'FAILED', 'CANCELED')),
  label_column text not null,
  positive_value text,
  input_key text,
  input_filename text not null default 'training.csv',
  input_bytes bigint not null default 0 check (input_bytes >= 0),
  rows_total bigint,
  progress_phase text,
  progress_percent integer not null default 0 check (progress_percent between 0 and 100),
  -- Held-out AUC, Brier, calibration table, class balance.
  metrics jsonb,
  -- The model card: inputs with roles and labels, excluded columns with reasons, thresholds.
  card jsonb,
  onnx_key text,
  card_key text,
  error_code text,
  error_message text,
  attempts integer not null default 0,
  enqueued_at timestamptz,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  -- DELETE /v1/models/:id: the row stays (predictions name it) but the model is gone for new work.
  deleted_at timestamptz,
  check (status <> 'READY' or account_id is null or onnx_key is not null)
);

-- Versions are numbered per account and name; the built-in model has no account.
create unique index models_account_name_version_idx on models (account_id, name, version);

-- GET /v1/models: newest first per account, keyset-paginated on (created_at, id).
create index models_account_created_idx on models (account_id, created_at desc, id desc) where deleted_at is null;

-- Outbox relay and reaper, as for predictions.
create index models_unenqueued_idx on models (created_at) where status = 'QUEUED' and enqueued_at is null;
create index models_training_heartbeat_idx on models (heartbeat_at) where status = 'TRAINING';

-- The built-in model: a well-known id the API and predictions can name. Its card and metrics are
-- written at start-up from the shipped card (ModelRepository.registerBuiltin).
insert into models (id, account_id, name, version, status, label_column, positive_value, input_filename, completed_at)
values ('00000000-0000-4000-8000-000000000001', null, 'telco', 1, 'READY', 'Churn', 'Yes', 'telco-churn.csv', now());

-- Null: the built-in model.
alter table accounts add column default_model_id uuid references models (id) on delete set null;

-- The model a prediction is scored with (null on predictions made before models existed: the built-in one).
alter table predictions add column model_id uuid references models (id);
