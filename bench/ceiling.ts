/**
 * The floor under `retainwise score`'s cost per row, one stage at a time, each warmed and consumed
 * the way the pipeline consumes it (scoring/pipeline.ts), on one thread:
 *
 *   read      csv-parse through core/csv's reader, 512-record batches (`CsvSource.read`)
 *   inputs    the batch's model inputs filled from the records (`Batch.fill`)
 *   model     onnxruntime on them (`Batch.score`)
 *   pipeline  the whole of `scoreCsv` (the above, then reasons and CSV lines), output discarded
 *
 * The first three are timed apart in one pass; `pipeline - (read + inputs + model)` is what
 * reasons, CSV lines, summaries and the collector cost. A term-tables model (a `.card.json` with
 * `format: term-tables/1` beside it) is fed one features tensor; others one tensor per input.
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

const model = await loadModel(MODEL);
const rounds = [];
for (let round = 0; round < 2; round++) {
  // The first round warms every stage (JIT, onnxruntime's first runs, the page cache); the second is reported.
  rounds.push({ ...(await stages()), pipeline: await pipelineStage() });
}
const { read, inputs, inference, pipeline } = rounds.at(-1)!;
const stage = (name: string, micros: number) => ({ stage: name, "µs/row": +micros.toFixed(2), "rows/s on one core": Math.round(1e6 / micros) });
console.table([
  stage("read: csv-parse via CsvSource.read", read),
  stage("inputs: Batch.fill (cells -> model inputs)", inputs),
  stage(`model: Batch.score (onnxruntime, ${model.features ? "one features tensor" : `${model.inputs.length} input tensors`})`, inference),
  stage("floor: read + inputs + model", read + inputs + inference),
  stage("pipeline: scoreCsv end to end (one thread)", pipeline),
  stage("rest: reasons, CSV lines, summary, GC", pipeline - read - inputs - inference),
]);
await model.release();

/** One pass over the file as the pipeline makes it, each stage's time summed separately (µs/row). */
async function stages(): Promise<{ read: number; inputs: number; inference: number }> {
  const head = await readHead(createReadStream(INPUT, { highWaterMark: 256 * 1024 }));
  const source = await openCsvAfterHead(head);
  const batch = new Batch(planColumns(source.headers, model, headNumberFormat(head, source, model)), model, BATCH_ROWS, source.delimiter);
  const spent = { read: 0, inputs: 0, inference: 0 };
  let rows = 0;
  for (let at = performance.now(); ; ) {
    await source.read(batch.records, batch.size);
    const read = performance.now();
    spent.read += read - at;
    if (batch.records.length === 0) break;
    batch.fill(rows + 1);
    rows += batch.records.length;
    const filled = performance.now();
    spent.inputs += filled - read;
    if (batch.valid > 0) await batch.score();
    at = performance.now();
    spent.inference += at - filled;
  }
  return { read: (spent.read * 1000) / rows, inputs: (spent.inputs * 1000) / rows, inference: (spent.inference * 1000) / rows };
}

async function pipelineStage(): Promise<number> {
  const output = new Writable({ write: (_chunk, _encoding, done) => done() });
  const started = performance.now();
  const summary = await scoreCsv({ input: createReadStream(INPUT, { highWaterMark: 256 * 1024 }), output, model });
  return ((performance.now() - started) * 1000) / (summary.rowsScored + summary.rowsFailed);
}
