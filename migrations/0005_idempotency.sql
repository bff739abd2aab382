-- Idempotency-Key on POST /v1/predictions, /v1/models and /v1/outcomes (packages/api/src/middleware/idempotency.ts).
-- The first request with a key claims its row; its answer is kept for 24 hours and replayed to
-- retries with the same key. A row without a response is a request still running: its heartbeat
-- keeps `locked_at` fresh, and a row left stale by a crashed process can be claimed again.
create table idempotency_keys (
  account_id uuid not null references accounts (id) on delete cascade,
  key text not null check (length(key) between 1 and 255),
  -- What the key was first used for (a hash of method, path, query and declared length).
  fingerprint text not null,
  response_status integer,
  response_headers jsonb,
  response_body text,
  locked_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  primary key (account_id, key)
);

-- Expired keys are deleted a few at a time by later claims (oldest first).
create index idempotency_keys_created_idx on idempotency_keys (created_at);
