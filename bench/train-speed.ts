/**
 * Training speed and memory (issue 10, item 5): fits the default model on a seeded synthetic
 * churn table of 14 columns (training/boost/synthetic-table.ts) and prints rows, wall seconds, CPU
 * seconds and peak RSS. One size per process, so the peak RSS is that size's own.
 *
 * Run:  bench/train-speed.sh   (10k and 100k rows; THREADS=1 bench/train-speed.sh for one thread)
 *  or:  (cd packages/cli && node --import tsx ../../bench/train-speed.ts 10000 [threads])
 * Threads: the bags of each stage run on this many worker threads (default: the machine's cores, at most 4);
 * CPU seconds and peak RSS are the whole process's, every thread included.
 * Bar: 10k rows <= 20 s, 100k rows <= 120 s and <= 1 GB peak RSS on the 2-core dev machine.
 */
import { fileURLToPath } from "node:url";
import { fitTermModel } from "../packages/core/src/training/boost/index.ts";
import { defaultThreads } from "../packages/core/src/threads.ts";
import { syntheticChurnTable } from "../packages/core/src/training/boost/synthetic-table.ts";

const rows = Number(process.argv[2] ?? 10_000);
const threads = Number(process.argv[3] ?? defaultThreads());
const workerEntry = fileURLToPath(new URL("../packages/cli/bin/retainwise.mjs", import.meta.url));
const table = syntheticChurnTable({ rows, seed: 1 });
const started = performance.now();
const cpu = process.cpuUsage();
const result = await fitTermModel(table, { seed: 42, threads, workerEntry });
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    rows,
    columns: table.inputs.length,
    threads,
    bags: result.settings.bags,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(1)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    refitted: result.refitted,
    pairs: result.model.terms.filter((t) => t.kind === "pair").length,
    heldOutAuc: Number(result.heldOut.auc.toFixed(4)),
  }),
);
