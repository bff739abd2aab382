import { RetainwiseError, type Logger } from "@retainwise/core";
import type { Sql } from "./connect.ts";
import { translateDbError } from "./errors.ts";

export interface WaitForDatabaseOptions {
  /** Give up after this long (a Multi-AZ failover takes 60-120 s). */
  timeoutSeconds: number;
  logger: Logger;
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 10_000;

/**
 * Resolves once the database answers, retrying a transient failure (refused, reset, starting up,
 * failing over) with a backoff up to `timeoutSeconds`, so a task started during a failover waits
 * instead of exiting and being replaced in a loop. A permanent failure (wrong password, TLS
 * refused) or the deadline throws at once, naming the cause.
 */
export async function waitForDatabase(sql: Sql, options: WaitForDatabaseOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`;
      if (attempt > 1) options.logger.info("database reachable", { attempt });
      return;
    } catch (error) {
      const failure = translateDbError(error, "waiting for the database at start-up");
      if (failure.kind !== "unavailable" || Date.now() + delay > deadline) {
        throw new RetainwiseError(
          "db.unreachable",
          `The database did not answer within ${options.timeoutSeconds} s (${failure.message}) Check that it is running and reachable, then restart.`,
          { cause: error },
        );
      }
      options.logger.warn("database not reachable yet, waiting", { attempt, retryInMs: delay, code: failure.code });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
