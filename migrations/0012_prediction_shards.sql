-- Shards (packages/core/src/jobs/shards.ts, docs/queue.md "Shards"): a large prediction's input
-- split into byte ranges of whole records, each a `score-shard` job of the registry: its own row
-- (inheriting job_rows: outbox, claim, heartbeat, reaper), message, retries and dead-lettering.
-- The prediction waits as SHARDED while its shards run; the write that settles the last one puts
-- it back to QUEUED, unsent, and its `score` job merges the parts in shard order.
alter table predictions drop constraint predictions_status_check;
alter table predictions add constraint predictions_status_check
  check (status in ('QUEUED', 'RUNNING', 'SHARDED', 'COMPLETED', 'FAILED', 'CANCELED'));

create table prediction_shards (
  id uuid primary key,
  prediction_id uuid not null references predictions (id) on delete cascade,
  shard_index integer not null check (shard_index >= 0),
  -- Bytes [start_byte, end_byte) of the input; shard 0 starts after the header record.
  start_byte bigint not null check (start_byte >= 0),
  end_byte bigint not null,
  -- The model's actionable columns when the file was split, so every shard advises alike.
  actionable text[] not null default '{}',
  rows_processed bigint not null default 0,
  rows_failed bigint not null default 0,
  bytes_read bigint not null default 0,
  -- What the completed shard wrote and counted (ShardResult): the merge reads its keys from here.
  result jsonb,
  unique (prediction_id, shard_index),
  check (end_byte > start_byte),
  check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED')),
  check (status <> 'COMPLETED' or result is not null)
) inherits (job_rows);

-- Outbox relay and reaper, as for every job table.
create index prediction_shards_unenqueued_idx on prediction_shards (created_at) where status = 'QUEUED' and enqueued_at is null;
create index prediction_shards_running_heartbeat_idx on prediction_shards (heartbeat_at) where status = 'RUNNING';
