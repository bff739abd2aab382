/**
 * The floor under `retainwise score`'s cost per row, one stage at a time, each warmed and consumed
 * the way the pipeline consumes it (scoring/pipeline.ts), on one thread:
 *
 *   read      csv-parse through core/csv's reader, 512-record batches (`CsvSource.read`)
 *   inputs    + the batch's model inputs filled from the records (`Batch.fill`)
 *   model     onnxruntime alone: `model.run` on those batches' feeds, replayed warm
 *   pipeline  the whole of `scoreCsv` (read, inputs, model, reasons, CSV lines), output discarded
 *
 * `pipeline - (inputs + model)` is what reasons, CSV lines, summaries and the collector cost.
 *
 *   node bench/score.mjs 1000000
 *   (cd packages/cli && node --import tsx ../../bench/ceiling.ts [file.csv] [model.onnx])
 */
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { loadModel, scoreCsv } from "../packages/core/src/index.ts";
import { Batch, headNumberFormat, planColumns } from "../packages/core/src/scoring/batch.ts";
import { openCsvAfterHead, readHead } from "../packages/core/src/csv/reader.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const INPUT = process.argv[2] ?? join(ROOT, "bench", "out", "telco-1000000.csv");
const MODEL = process.argv[3] ?? join(ROOT, "models", "churn-v1.onnx");
const BATCH_ROWS = 512;
/** Batches kept for the model stage: enough to vary the rows, few enough to stay in cache like one batch in flight. */
const SAMPLE_BATCHES = 64;

const model = await loadModel(MODEL);
const rounds = [];
for (let round = 0; round < 2; round++) {
  // The first round warms every stage (JIT, onnxruntime's first runs, the page cache); the second is reported.
  const read = await readStage(false);
  const inputs = await readStage(true);
  const inference = await modelStage(inputs.feeds);
  const pipeline = await pipelineStage();
  rounds.push({ read, inputs, inference, pipeline });
}
const { read, inputs, inference, pipeline } = rounds.at(-1)!;
const stage = (name: string, micros: number) => ({ stage: name, "µs/row": +micros.toFixed(2), "rows/s on one core": Math.round(1e6 / micros) });
console.table([
  stage("read: csv-parse via CsvSource.read", read.micros),
  stage("inputs: Batch.fill (cells -> model inputs)", inputs.micros - read.micros),
  stage(`model: onnxruntime on ${model.inputs.length} input(s)`, inference),
  stage("floor: read + inputs + model", inputs.micros + inference),
  stage("pipeline: scoreCsv end to end (one thread)", pipeline),
  stage("rest: reasons, CSV lines, summary, GC", pipeline - inputs.micros - inference),
]);
await model.release();

async function readStage(fill: boolean): Promise<{ micros: number; feeds: { feeds: Record<string, Float32Array | string[]>; rows: number }[] }> {
  const head = await readHead(createReadStream(INPUT, { highWaterMark: 256 * 1024 }));
  const started = performance.now();
  const source = await openCsvAfterHead(head);
  const batch = new Batch(planColumns(source.headers, model, headNumberFormat(head, source, model)), BATCH_ROWS);
  const feeds = [];
  let rows = 0;
  for (;;) {
    await source.read(batch.records, batch.size);
    if (batch.records.length === 0) break;
    rows += batch.records.length;
    if (!fill) continue;
    batch.fill(rows);
    if (feeds.length < SAMPLE_BATCHES) feeds.push({ feeds: copyFeeds(batch.feeds()), rows: batch.valid });
  }
  return { micros: ((performance.now() - started) * 1000) / rows, feeds };
}

async function modelStage(batches: { feeds: Record<string, Float32Array | string[]>; rows: number }[]): Promise<number> {
  let rows = 0;
  const started = performance.now();
  for (let pass = 0; pass < 10; pass++) {
    for (const { feeds, rows: n } of batches) {
      await model.run(feeds, n);
      rows += n;
    }
  }
  return ((performance.now() - started) * 1000) / rows;
}

async function pipelineStage(): Promise<number> {
  const output = new Writable({ write: (_chunk, _encoding, done) => done() });
  const started = performance.now();
  const summary = await scoreCsv({ input: createReadStream(INPUT, { highWaterMark: 256 * 1024 }), output, model });
  return ((performance.now() - started) * 1000) / (summary.rowsScored + summary.rowsFailed);
}

function copyFeeds(feeds: Record<string, Float32Array | string[]>): Record<string, Float32Array | string[]> {
  return Object.fromEntries(Object.entries(feeds).map(([name, column]) => [name, column.slice()]));
}

