-- Which deployments of the worker are running (packages/worker/src/drain-on-new-generation.ts). A
-- generation is the ECS task definition revision a worker runs (RETAINWISE_WORKER_GENERATION
-- elsewhere). Every worker refreshes its generation's `seen_at` every few seconds; a worker that
-- sees a newer generation alive is being replaced by a deploy: it stops claiming jobs, finishes or
-- releases the ones in hand, and its task protection ends, so ECS can stop it. Rows of generations
-- nobody has refreshed for a day are deleted by the next refresh.
create table worker_generations (
  generation integer primary key check (generation >= 0),
  seen_at timestamptz not null default now()
);
