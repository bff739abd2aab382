import { availableParallelism } from "node:os";

/**
 * The scoring threads to start for `requested`: never more than the machine's cores. Past them a
 * thread adds ~35 MB of memory (its V8 heap, its model session) and no speed: threads only share
 * the same cores, and each extra one pushes peak RSS past 256 MB on a 2-core machine.
 */
export function scoringThreads(requested: number): number {
  return Math.max(1, Math.min(requested, availableParallelism()));
}
