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
 * With PAIR=1 each stage is also timed while a twin process does the same work at once (PAIR=threads:
 * a twin worker thread in this process, as `retainwise score --threads` runs): the
 * second core's worth to this workload. Two copies of the same single-threaded work run slower each
 * than one alone (they share caches and memory bandwidth, and one alone lends V8's collector
 * threads the idle core), so `2 x alone / paired` is the most any split of the work over two
 * threads can gain here, before any cost of the split itself.
 *
 *   node bench/score.mjs 1000000
 *   (cd packages/cli && node --import tsx ../../bench/ceiling.ts [file.csv] [model.onnx])
 *   (cd packages/cli && PAIR=1 node --import tsx ../../bench/ceiling.ts [file.csv] [model.onnx])
 *   (cd packages/cli && PAIR=threads node --import tsx ../../bench/ceiling.ts [file.csv] [model.onnx])
 */
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { loadModel, scoreCsv } from "../packages/core/src/index.ts";
import { Batch, headNumberFormat, planColumns } from "../packages/core/src/scoring/batch.ts";
import { openCsvAfterHead, readHead } from "../packages/core/src/csv/reader.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const INPUT = process.argv[2] ?? join(ROOT, "bench", "out", "telco-1000000.csv");
const MODEL = process.argv[3] ?? join(ROOT, "models", "churn-v1.onnx");
const BATCH_ROWS = 512;

type Stages = Record<"read" | "inputs" | "inference" | "pipeline", Cost>;
const NAMES: Record<keyof Stages | "floor" | "rest", string> = {
  read: "read: csv-parse via CsvSource.read",
  inputs: "inputs: Batch.fill (cells -> model inputs)",
  inference: "model: Batch.score (onnxruntime)",
  floor: "floor: read + inputs + model",
  pipeline: "pipeline: scoreCsv end to end (one thread)",
  rest: "rest: reasons, CSV lines, summary, GC",
};

const model = await loadModel(MODEL);
if (!isMainThread && (workerData as { twin?: true } | null)?.twin) {
  parentPort!.postMessage(await measure());
} else if (process.env.CEILING_CHILD === "1") {
  process.stdout.write(JSON.stringify(await measure()));
} else if (process.env.PAIR === "1" || process.env.PAIR === "threads") {
  const twins = process.env.PAIR === "threads" ? twinThreads : twinProcesses;
  const alone = await twins(1);
  const paired = await twins(2);
  const pairedMean = Object.fromEntries(
    Object.keys(alone[0]!).map((k) => [k, mean(paired.map((p) => p[k as keyof Stages]))]),
  ) as Stages;
  const rows = withDerived(alone[0]!);
  const twin = withDerived(pairedMean);
  console.table(
    Object.entries(rows).map(([k, cost]) => {
      const other = twin[k as keyof typeof twin];
      return {
        stage: NAMES[k as keyof typeof NAMES],
        "alone wall µs/row": +cost.wall.toFixed(2),
        "with a twin wall µs/row": +other.wall.toFixed(2),
        "2-core ceiling (2 x alone / with twin)": +((2 * cost.wall) / other.wall).toFixed(2),
      };
    }),
  );
} else {
  const stages = await measure();
  const stage = (name: string, { wall, cpu }: Cost) => ({
    stage: name,
    "wall µs/row": +wall.toFixed(2),
    "CPU µs/row": +cpu.toFixed(2),
    "rows/s on one core (CPU)": Math.round(1e6 / cpu),
  });
  console.log(`model: ${model.features ? "one features tensor" : `${model.inputs.length} input tensors`}`);
  console.table(Object.entries(withDerived(stages)).map(([k, cost]) => stage(NAMES[k as keyof typeof NAMES], cost)));
}
await model.release();

/** Two rounds: the first warms every stage (JIT, onnxruntime's first runs, the page cache); the second is reported. */
async function measure(): Promise<Stages> {
  let last: Stages | undefined;
  for (let round = 0; round < 2; round++) last = { ...(await stages()), pipeline: await pipelineStage() };
  return last!;
}

/** The stages in table order, with the floor (what the pipeline cannot go under) and the rest (what it adds). */
function withDerived({ read, inputs, inference, pipeline }: Stages): Record<keyof typeof NAMES, Cost> {
  const floor = sum(read, inputs, inference);
  return {
    read,
    inputs,
    inference,
    floor,
    pipeline,
    rest: { wall: pipeline.wall - floor.wall, cpu: pipeline.cpu - floor.cpu },
  };
}

/** `count` copies of the measurement at the same time, each on a worker thread of this process. */
function twinThreads(count: number): Promise<Stages[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Stages>((resolve, reject) => {
          // A worker thread does not inherit --import tsx: it registers tsx itself, then loads this file.
          const code = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
          new Worker(code, { eval: true, workerData: { twin: true }, argv: process.argv.slice(2) })
            .once("message", resolve)
            .once("error", reject);
        }),
    ),
  );
}

/** `count` copies of this script measuring at the same time, each in its own process. */
function twinProcesses(count: number): Promise<Stages[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Stages>((resolve, reject) => {
          const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
            env: { ...process.env, CEILING_CHILD: "1" },
            stdio: ["ignore", "pipe", "inherit"],
          });
          let out = "";
          child.stdout.on("data", (chunk: Buffer) => (out += chunk));
          child.on("exit", (code) =>
            code === 0
              ? resolve(JSON.parse(out) as Stages)
              : reject(new Error(`a measuring process exited with ${code}`)),
          );
        }),
    ),
  );
}

function mean(costs: Cost[]): Cost {
  const total = sum(...costs);
  return { wall: total.wall / costs.length, cpu: total.cpu / costs.length };
}

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
  const batch = new Batch(
    planColumns(source.headers, model, headNumberFormat(head, source, model)),
    model,
    BATCH_ROWS,
    source.delimiter,
  );
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
