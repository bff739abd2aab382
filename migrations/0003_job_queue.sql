-- The one-machine job queue with SQS semantics (docs/queue.md). A message is
--   available   visible_at <= now(), dead_lettered_at null
--   in flight   visible_at >  now() after a receive (holder has `receipt`)
--   dead        dead_lettered_at set: received max times without delete; never delivered again
-- and is gone once deleted.
create table job_queue (
  id uuid primary key default gen_random_uuid(),
  queue text not null,
  body text not null,
  sent_at timestamptz not null default now(),
  visible_at timestamptz not null default now(),
  receive_count integer not null default 0,
  -- Rotates on every receive, so a holder whose visibility lapsed cannot delete or extend the
  -- message another consumer now holds (SQS receipt handles behave the same).
  receipt uuid unique,
  first_received_at timestamptz,
  dead_lettered_at timestamptz
);

-- The claim scans available messages of one queue in visibility order.
create index job_queue_available_idx on job_queue (queue, visible_at) where dead_lettered_at is null;
