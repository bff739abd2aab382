-- The column a prediction takes customer_id from (`POST /v1/predictions?idColumn=`); null: the
-- scorer's default (the model card's identifier column, else customerID or an alias, else the row
-- number; packages/core/src/scoring/id-column.ts).
alter table predictions add column id_column text;
