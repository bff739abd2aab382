/**
 * Training speed and memory (issue 10, item 5): fits the default model on a seeded synthetic
 * churn table of 14 columns (training/boost/synthetic-table.ts) and prints rows, wall seconds, CPU
 * seconds and peak RSS. One size per process, so the peak RSS is that size's own.
 *
 * Run:  bench/train-speed.sh   (10k and 100k rows; THREADS=1 bench/train-speed.sh for one thread)
 *  or:  (cd packages/cli && node --import tsx ../../bench/train-speed.ts 10000 [threads] [columns])
 * `columns` past the table's 14 adds seeded columns (numbers and 5-level categories) the label does
 * not follow: issue 21 times 10k rows x 25 columns.
 * Threads: the bags of each stage run on this many worker threads (default: the machine's cores, at most 4);
 * CPU seconds and peak RSS are the whole process's, every thread included.
 * Bar (issue 21): 10k rows x 25 columns <= 10 s, 100k rows <= 60 s, peak RSS <= 512 MB, on 2 cores.
 */
import { fileURLToPath } from "node:url";
import { fitTermModel } from "../packages/core/src/training/boost/index.ts";
import { defaultThreads } from "../packages/core/src/threads.ts";
import { syntheticChurnTable } from "../packages/core/src/training/boost/synthetic-table.ts";
import { mulberry32 } from "../packages/core/src/training/split.ts";
import type { TableInput, TrainingTable } from "../packages/core/src/training/table.ts";

const rows = Number(process.argv[2] ?? 10_000);
const threads = Number(process.argv[3] ?? 0) || defaultThreads();
const workerEntry = fileURLToPath(new URL("../packages/cli/bin/retainwise.mjs", import.meta.url));
const table = widened(syntheticChurnTable({ rows, seed: 1 }), Number(process.argv[4] ?? 0));
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
    forestTrees: result.model.forest?.trees.length ?? 0,
    heldOutAuc: Number(result.heldOut.auc.toFixed(4)),
  }),
);

/** The table with seeded columns the label does not follow added up to `columns` inputs (numbers and 5-level categories in turn). */
function widened(table: TrainingTable, columns: number): TrainingTable {
  const random = mulberry32(7);
  const extra = Array.from({ length: Math.max(0, columns - table.inputs.length) }, (_, k): TableInput => {
    const name = `extra_${k}`;
    if (k % 2 === 0)
      return {
        role: "numeric",
        name,
        label: name,
        values: Float64Array.from({ length: table.rows }, () => Math.round(random() * 10_000) / 100),
      };
    return {
      role: "categorical",
      name,
      label: name,
      categories: ["a", "b", "c", "d", "e"],
      codes: Int32Array.from({ length: table.rows }, () => Math.floor(random() * 5)),
    };
  });
  return { ...table, inputs: [...table.inputs, ...extra] };
}
