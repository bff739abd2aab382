-- What a program needs to act on a job's failure without parsing its message (RetainwiseError
-- details): for a prediction FAILED on too many bad rows, its first rows that could not be scored,
-- which `GET /v1/predictions/<id>/errors?limit=` answers from here instead of reading the report.
-- On the parent table, so every job table (predictions, models, score indexings) has it.
alter table job_rows add column error_details jsonb;
