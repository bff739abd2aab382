#!/usr/bin/env node
/**
 * The floor under `retainwise score`'s cost per row: csv-parse alone (with the pipeline's options)
 * and onnxruntime alone (the shipped model on 512-row batches, string tensors built from the rows),
 * each on one core. Their sum bounds what one thread can do, whatever the rest of the pipeline costs.
 *
 *   node bench/score.mjs 1000000 && node bench/ceiling.mjs     # reuses bench/out/telco-1000000.csv
 */
import { createReadStream, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const INPUT = process.argv[2] ?? join(ROOT, "bench", "out", "telco-1000000.csv");
const fromCore = createRequire(join(ROOT, "packages", "core", "package.json"));
const { parse } = fromCore("csv-parse");
const ort = fromCore("onnxruntime-node");
const BATCH = 512;

const parsed = await parseAll();
const inference = await inferenceMicrosPerRow(parsed.sample, parsed.header);
const parseMicros = 1e6 / parsed.rowsPerSecond;
console.table([
  { stage: "csv-parse alone", "µs/row": +parseMicros.toFixed(2), "rows/s on one core": Math.round(parsed.rowsPerSecond) },
  { stage: "onnxruntime alone", "µs/row": +inference.toFixed(2), "rows/s on one core": Math.round(1e6 / inference) },
  { stage: "both, no other work", "µs/row": +(parseMicros + inference).toFixed(2), "rows/s on one core": Math.round(1e6 / (parseMicros + inference)) },
]);

async function parseAll() {
  const parser = createReadStream(INPUT, { highWaterMark: 256 * 1024 }).pipe(
    parse({ delimiter: ",", bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true }),
  );
  const sample = [];
  let header;
  let rows = 0;
  const started = performance.now();
  for await (const record of parser) {
    if (!header) header = record;
    else if (sample.length < BATCH) sample.push(record);
    rows++;
  }
  return { header, sample, rowsPerSecond: rows / ((performance.now() - started) / 1000) };
}

async function inferenceMicrosPerRow(rows, header) {
  const session = await ort.InferenceSession.create(readFileSync(join(ROOT, "models", "churn-v1.onnx")), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = () => {
    const out = {};
    for (const input of session.inputMetadata) {
      const column = header.indexOf(input.name);
      out[input.name] =
        input.type === "string"
          ? new ort.Tensor("string", rows.map((r) => r[column]), [rows.length, 1])
          : new ort.Tensor("float32", Float32Array.from(rows, (r) => Number(r[column] || Number.NaN)), [rows.length, 1]);
    }
    return out;
  };
  for (let i = 0; i < 20; i++) await session.run(feeds());
  const runs = 400;
  const started = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds());
  return ((performance.now() - started) * 1000) / (runs * rows.length);
}
