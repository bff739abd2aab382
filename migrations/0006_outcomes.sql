-- What happened to each customer (POST /v1/outcomes): one row per account and customer; a later
-- observation replaces an earlier one. Joined only with predictions of the same account.
create table outcomes (
  account_id uuid not null references accounts (id) on delete cascade,
  customer_id text not null check (length(customer_id) between 1 and 200),
  churned boolean not null,
  observed_at timestamptz not null,
  -- The upload that last set the row: its answer counts the customers it matched.
  upload_id uuid not null,
  received_at timestamptz not null default now(),
  primary key (account_id, customer_id)
);

create index outcomes_upload_idx on outcomes (account_id, upload_id);

-- Each completed prediction's per-customer probabilities, copied from its result CSV the first time
-- outcomes are joined with it (packages/core/src/outcomes/score-index.ts says why).
create table prediction_scores (
  prediction_id uuid not null references predictions (id) on delete cascade,
  customer_id text not null,
  probability double precision not null,
  primary key (prediction_id, customer_id)
);

-- "Matched to earlier predictions": by customer across an account's predictions.
create index prediction_scores_customer_idx on prediction_scores (customer_id);

-- Written after the last score of a prediction: a copy cut short is redone, never half-used.
create table prediction_score_sets (
  prediction_id uuid primary key references predictions (id) on delete cascade,
  rows bigint not null,
  indexed_at timestamptz not null default now()
);
