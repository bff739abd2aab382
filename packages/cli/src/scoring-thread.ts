/**
 * The bundle's entry for scoring threads (dist/scoring-thread.mjs, see build.mjs and paths.ts):
 * the scoring code alone. Starting threads from the whole program cost each one ~30 MB of memory
 * and the time to compile code it never runs.
 */
import { serveScoringThread } from "@retainwise/core";

await serveScoringThread();
