-- What an account sets on a model it scores with (its own, or the built-in one every account shares):
-- today the input columns it can act on, which each scored row's `retention_action` may change
-- (packages/core/src/scoring/retention.ts). One row per account and model; no row: nothing set.
create table model_settings (
  account_id uuid not null references accounts (id) on delete cascade,
  model_id uuid not null references models (id) on delete cascade,
  -- Card input names, checked against the model's card by the API (PUT /v1/models/:id/settings).
  actionable text[] not null default '{}',
  updated_at timestamptz not null default now(),
  primary key (account_id, model_id)
);
