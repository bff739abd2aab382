import { availableParallelism } from "node:os";

/**
 * How many threads a scoring or a training runs on. Each thread holds its own V8 heap and program
 * (scoring ~35 MB, a bagging thread ~60 MB): past the machine's cores a thread only shares the same
 * cores and adds memory, and past a few, memory grows faster than a job speeds up.
 */
const MAX_DEFAULT_THREADS = 4;

/** Threads unless told: every core, at most 4. */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}

/** The threads to start for `requested`: never more than the machine's cores, at least 1. */
export function threadsForMachine(requested: number): number {
  return Math.max(1, Math.min(requested, availableParallelism()));
}
