import { indexScoresSweep, type Logger, type ObjectStore, type OutcomeRepository } from "@retainwise/core";
import { sleep } from "./sleep.ts";

export interface ScoreIndexerOptions {
  outcomes: OutcomeRepository;
  store: ObjectStore;
  intervalSeconds: number;
  logger: Logger;
}

/** Predictions copied per sweep: a sweep stays short, the next one continues. */
const PER_SWEEP = 20;

/**
 * Copies completed predictions' scores into the database for accounts that upload outcomes, soon
 * after scoring and before the result files expire (core/outcomes/score-index.ts says why). A
 * failed sweep is logged and retried at the next interval; requests that need a copy make it
 * themselves, so this is never on the critical path.
 */
export function startScoreIndexer(options: ScoreIndexerOptions): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let copied = 0;
      try {
        copied = await indexScoresSweep(options, PER_SWEEP);
        if (copied > 0) options.logger.info("prediction scores indexed for outcomes", { predictions: copied });
      } catch (error) {
        options.logger.warn("score indexing failed; will retry", { error });
      }
      // A full sweep means more are waiting: continue at once.
      if (copied < PER_SWEEP) await sleep(options.intervalSeconds * 1000, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
