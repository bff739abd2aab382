import type { ScoreIndexing, ScoreIndexProgress, ScoreIndexRepository } from "@retainwise/core";
import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";
import { createJobRows, type JobTable } from "./job-rows.ts";

/**
 * The `index-scores` jobs in Postgres (`score_indexings`, one per completed prediction, same id):
 * the shared job-rows adapter plus their completion. Rows are inserted by the prediction's
 * completion (predictions.ts), never here.
 *
 * @example
 *   const scoreIndexes = createPostgresScoreIndexRepository(sql);
 *   const claim = await scoreIndexes.claim(predictionId, { staleAfterSeconds: 120 });
 */
export function createPostgresScoreIndexRepository(sql: SqlOrTx): ScoreIndexRepository {
  return {
    ...createJobRows(sql, SCORE_INDEXINGS_TABLE),
    complete: (id, attempt, rows) =>
      withDbErrors("completing a score copy", async () => {
        const updated = await sql`
          update score_indexings set status = 'COMPLETED', rows_indexed = ${rows}, error_code = null, error_message = null, completed_at = now(), updated_at = now()
          where id = ${id} and status = 'RUNNING' and attempts = ${attempt}
          returning id`;
        return updated.length === 1;
      }),
  };
}

const SCORE_INDEXINGS_TABLE: JobTable<ScoreIndexing, ScoreIndexProgress> = {
  table: "score_indexings",
  running: "RUNNING",
  noun: "score copy",
  toJob: (row) => row as unknown as ScoreIndexing,
  onClaim: (sql) => sql`rows_indexed = 0`,
  progress: (sql, p) => sql`rows_indexed = ${p.rows}`,
};
