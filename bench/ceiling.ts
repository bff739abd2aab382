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
 * Each stage is reported as wall time and as this process's CPU time: on a machine others are
 * loading, wall time counts the waits for a core and CPU time does not (it does count V8's
 * collector threads, which run for the stage that made the garbage).
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
const floor = sum(read, inputs, inference);
const stage = (name: string, { wall, cpu }: Cost) => ({ stage: name, "wall µs/row": +wall.toFixed(2), "CPU µs/row": +cpu.toFixed(2), "rows/s on one core (CPU)": Math.round(1e6 / cpu) });
console.table([
  stage("read: csv-parse via CsvSource.read", read),
  stage("inputs: Batch.fill (cells -> model inputs)", inputs),
  stage(`model: Batch.score (onnxruntime, ${model.features ? "one features tensor" : `${model.inputs.length} input tensors`})`, inference),
  stage("floor: read + inputs + model", floor),
  stage("pipeline: scoreCsv end to end (one thread)", pipeline),
  stage("rest: reasons, CSV lines, summary, GC", { wall: pipeline.wall - floor.wall, cpu: pipeline.cpu - floor.cpu }),
]);
await model.release();

/** Microseconds per row. */
interface Cost {
  wall: number;
  cpu: number;
}

function sum(...costs: Cost[]): Cost {
  return { wall: costs.reduce((a, c) => a + c.wall, 0), cpu: costs.reduce((a, c) => a + c.cpu, 0) };
}

/** Wall and CPU time in µs since `clock()` was called. */
function clock(): () => Cost {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) * 1000, cpu: used.user + used.system };
  };
}

/** One pass over the file as the pipeline makes it, each stage's time summed separately (µs/row). */
async function stages(): Promise<{ read: Cost; inputs: Cost; inference: Cost }> {
  const head = await readHead(createReadStream(INPUT, { highWaterMark: 256 * 1024 }));
  const source = await openCsvAfterHead(head);
  const batch = new Batch(planColumns(source.headers, model, headNumberFormat(head, source, model)), model, BATCH_ROWS, source.delimiter);
  const spent = { read: sum(), inputs: sum(), inference: sum() };
  let rows = 0;
  for (;;) {
    let lap = clock();
    await source.read(batch.records, batch.size);
    spent.read = sum(spent.read, lap());
    if (batch.records.length === 0) break;
    lap = clock();
    batch.fill(rows + 1);
    rows += batch.records.length;
    spent.inputs = sum(spent.inputs, lap());
    lap = clock();
    if (batch.valid > 0) await batch.score();
    spent.inference = sum(spent.inference, lap());
  }
  const perRow = (c: Cost) => ({ wall: c.wall / rows, cpu: c.cpu / rows });
  return { read: perRow(spent.read), inputs: perRow(spent.inputs), inference: perRow(spent.inference) };
}

async function pipelineStage(): Promise<Cost> {
  const output = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lap = clock();
  const summary = await scoreCsv({ input: createReadStream(INPUT, { highWaterMark: 256 * 1024 }), output, model });
  const { wall, cpu } = lap();
  const rows = summary.rowsScored + summary.rowsFailed;
  return { wall: wall / rows, cpu: cpu / rows };
}
