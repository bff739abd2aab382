-- Drift: each input column of a scored file counted into the model's training bins while it is
-- scored (packages/core/src/outcomes/drift.ts); the report (PSI per column, unseen categories) is
-- written when the job completes. Null: the model has no training shares, or nothing was scored.
alter table predictions add column drift jsonb;

-- Champion / challenger: a second model scores every row beside the one that decides (`model_id`).
-- Null: no challenger. Like `model_id`, it keeps naming a model deleted since.
alter table predictions add column challenger_model_id uuid references models (id);

-- The challenger's probability per customer, copied from the result's `challenger_probability`
-- column with the champion's: both models are measured on the same labeled rows.
alter table prediction_scores add column challenger_probability double precision;
