import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/** Generations nobody has refreshed for this long are deleted (a day: no worker is that slow to heartbeat). */
const FORGET_AFTER_SECONDS = 24 * 3600;

/**
 * Which worker generations are running (migrations/0008_worker_generations.sql), for the drain
 * signal in packages/worker/src/drain-on-new-generation.ts.
 *
 * @example
 *   const generations = createPostgresWorkerGenerations(sql);
 *   const newest = await generations.refresh(7, { aliveSeconds: 30 }); // 8: a deploy is replacing us
 */
export function createPostgresWorkerGenerations(sql: SqlOrTx) {
  return {
    /** Marks `generation` alive now and returns the newest generation seen within `aliveSeconds` (ours included). */
    refresh: (generation: number, options: { aliveSeconds: number }) =>
      withDbErrors("refreshing the worker generation", async () => {
        await sql`
          insert into worker_generations (generation) values (${generation})
          on conflict (generation) do update set seen_at = now()`;
        await sql`delete from worker_generations where seen_at < now() - make_interval(secs => ${FORGET_AFTER_SECONDS})`;
        const [row] = await sql<{ newest: number }[]>`
          select max(generation)::int as newest from worker_generations
          where seen_at > now() - make_interval(secs => ${options.aliveSeconds})`;
        return row?.newest ?? generation;
      }),
  };
}
