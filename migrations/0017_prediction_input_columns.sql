-- The header row of a prediction's input, as the API read it before storing the file: a retry
-- checks its models against these names without reading the stored file back. Null on
-- predictions made before this column existed (their retry is checked by the worker).
alter table predictions add column input_columns jsonb;
