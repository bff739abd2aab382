/**
 * A file scored the way the worker scores an object-store input: read as a stream (no
 * `inputPath`), with the error report and the scores file written beside the output, on THREADS
 * threads (default 2). Prints wall seconds and the process's peak RSS (every thread's, from
 * `process.resourceUsage()`); the scored files go to bench/out/.
 *
 *   node bench/score.mjs 1000000   # generates bench/out/telco-1000000.csv (among its runs)
 *   (cd packages/cli && THREADS=2 node --import tsx ../../bench/score-stream.ts ../../bench/out/telco-1000000.csv)
 */
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel, scoreCsv } from "../packages/core/src/index.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "out");
const input = process.argv[2] ?? join(OUT, "telco-1000000.csv");
const threads = Number(process.env.THREADS ?? 2);

const model = await loadModel(join(ROOT, "models", "churn-v1.onnx"));
const started = performance.now();
const summary = await scoreCsv({
  input: createReadStream(input, { highWaterMark: 256 * 1024 }),
  totalBytes: statSync(input).size,
  output: createWriteStream(join(OUT, "stream-scored.csv")),
  errors: createWriteStream(join(OUT, "stream-errors.csv")),
  scores: createWriteStream(join(OUT, "stream-scores.ndjson")),
  model,
  threads,
  workerEntry: join(ROOT, "packages", "cli", "bin", "retainwise.mjs"),
});
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    rows: summary.rowsScored + summary.rowsFailed,
    threads,
    seconds: Number(seconds.toFixed(2)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    load: Number(loadavg()[0]!.toFixed(1)),
  }),
);
await model.release();
