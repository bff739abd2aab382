import type { Logger } from "@retainwise/core";
import { sleep } from "./sleep.ts";

/** Where workers say which generation they run (packages/postgres: createPostgresWorkerGenerations). */
export interface WorkerGenerations {
  /** Marks `generation` alive and returns the newest generation alive within `aliveSeconds`. */
  refresh(generation: number, options: { aliveSeconds: number }): Promise<number>;
}

export interface DrainOnNewGenerationOptions {
  generations: WorkerGenerations;
  /** This worker's generation: its ECS task definition revision (or RETAINWISE_WORKER_GENERATION). */
  generation: number;
  logger: Logger;
  /** How often to refresh and look. */
  checkSeconds?: number;
  /** A generation not refreshed for this long is gone (its tasks stopped, e.g. a deploy rolled back). */
  aliveSeconds?: number;
}

export interface DrainSignal {
  /** True while a newer generation is alive: this worker is being replaced and must claim nothing. */
  draining(): boolean;
  stop(): Promise<void>;
}

const DEFAULTS = { checkSeconds: 5, aliveSeconds: 30 };

/**
 * The draining signal for deploys. ECS never sends SIGTERM to a task while it is scale-in
 * protected, and a worker under a steady backlog is always protected (it always holds a job), so a
 * deploy would wait on old workers for as long as jobs keep coming. Instead, every worker
 * refreshes its generation in the database; when a newer one is alive (the deploy's new tasks
 * have started), the old worker drains: it claims nothing more, the jobs in hand finish (or are
 * released at the drain deadline, see `startWorker`'s `drainDeadlineMs`), its protection ends with
 * the last of them, and ECS stops it. If the newer generation goes away (its deploy rolled back and
 * its tasks stopped), `aliveSeconds` later the old worker claims again.
 *
 * @example
 *   const drain = drainOnNewGeneration({ generations: createPostgresWorkerGenerations(sql), generation: 7, logger });
 *   const worker = startWorker({ ...options, draining: drain.draining });
 */
export function drainOnNewGeneration(options: DrainOnNewGenerationOptions): DrainSignal {
  const { checkSeconds, aliveSeconds } = { ...DEFAULTS, ...options };
  const stopping = new AbortController();
  let draining = false;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const newest = await options.generations.refresh(options.generation, { aliveSeconds });
        const now = newest > options.generation;
        if (now !== draining) {
          if (now)
            options.logger.info("a newer worker generation is running: draining (claiming no more jobs)", {
              generation: options.generation,
              newest,
            });
          else
            options.logger.warn("the newer worker generation is gone: claiming jobs again", {
              generation: options.generation,
            });
        }
        draining = now;
      } catch (error) {
        // Keep the last answer: a database blip neither starts nor ends a drain.
        options.logger.warn("checking for a newer worker generation failed", { generation: options.generation, error });
      }
      await sleep(checkSeconds * 1000, stopping.signal);
    }
  })();
  return {
    draining: () => draining,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
