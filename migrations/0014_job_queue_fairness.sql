-- Fair claiming (packages/postgres/src/job-queue.ts, docs/queue.md "Fairness and slots"): each message
-- records its kind and its group (the account the job works for), so a receiver can take only the
-- kinds its slot runs (at most N-1 of a worker's N slots train) and prefer the accounts with the
-- fewest messages in flight. Null in both for messages sent before this migration, and for groups
-- nobody named: those are claimed by any slot, as one group of their own.
alter table job_queue add column kind text;
alter table job_queue add column group_key text;

-- The in-flight count per group the claim orders by: received, not deleted, not dead (hidden or lapsed).
create index job_queue_in_flight_idx on job_queue (queue, group_key) where receipt is not null and dead_lettered_at is null;
