-- One uploaded CSV scored once. Lifecycle and attempt guards: packages/core/src/jobs/prediction.ts.
create table predictions (
  id uuid primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  status text not null default 'QUEUED'
    check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED')),
  input_key text not null,
  input_filename text not null,
  input_bytes bigint not null check (input_bytes >= 0),
  s3_output_key text,
  rows_total bigint,
  rows_processed bigint not null default 0,
  rows_failed bigint not null default 0,
  bytes_read bigint not null default 0,
  metrics jsonb,
  error_code text,
  error_message text,
  model_version text,
  -- Claims so far; every write after a claim is guarded by `attempts = <the claim's attempt>`.
  attempts integer not null default 0,
  -- Null until the job message was sent: the outbox relay re-sends those.
  enqueued_at timestamptz,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  check (status <> 'COMPLETED' or s3_output_key is not null)
);

-- GET /v1/predictions: newest first per account, keyset-paginated on (created_at, id).
create index predictions_account_created_idx on predictions (account_id, created_at desc, id desc);

-- Outbox relay: QUEUED rows whose message was never sent.
create index predictions_unenqueued_idx on predictions (created_at)
  where status = 'QUEUED' and enqueued_at is null;

-- Reaper: RUNNING rows whose worker stopped heart-beating.
create index predictions_running_heartbeat_idx on predictions (heartbeat_at)
  where status = 'RUNNING';
