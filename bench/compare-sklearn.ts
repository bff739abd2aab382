/**
 * Our side of the benchmark (issues 10 and 21): reads a labeled CSV with the product's reader,
 * trains on the fixed split's training rows only, and writes the churn probability of every test
 * row. File data rows are numbered from 1; row n is a test row when md5(str(n)) % 5 == 0. Rows the
 * reader skips (blank label, ragged) keep their numbers, so the split is bench/suite/peers.py's.
 *
 * Run:  (cd packages/cli && node --import tsx ../../bench/compare-sklearn.ts <csv> <label> <ours.csv> [--positive VALUE] [--settings JSON])
 * `--settings` is a JSON object of trainer settings (FitSettings) laid over the defaults.
 * Usually run by bench/suite/run.mjs, which then scores <ours.csv> with bench/suite/peers.py.
 * Prints one JSON line: fit seconds, peak RSS, inputs, terms, the trainer's own held-out metrics.
 */
import { createHash } from "node:crypto";
import { createReadStream, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { scoreTermModel } from "../packages/core/src/model/term-scoring.ts";
import {
  fitTermModel,
  readTrainingTable,
  tableCodes,
  type FitSettings,
  type TrainingTable,
} from "../packages/core/src/training/index.ts";
import { defaultThreads } from "../packages/core/src/threads.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { positive: { type: "string" }, settings: { type: "string" } },
});
const [path, label, out] = positionals;
if (!path || !label || !out)
  throw new Error("usage: compare-sklearn.ts <csv> <label> <ours.csv> [--positive VALUE] [--settings JSON]");
const settings = JSON.parse(values.settings ?? "{}") as Partial<FitSettings>;

const { table, rowErrors } = await readTrainingTable(createReadStream(path), {
  label,
  ...(values.positive !== undefined ? { positive: values.positive } : {}),
});
const fileRows = fileRowNumbers(table.rows, rowErrors);
const isTest = (fileRow: number) => BigInt(`0x${createHash("md5").update(String(fileRow)).digest("hex")}`) % 5n === 0n;
const train: number[] = [];
const test: number[] = [];
for (let r = 0; r < table.rows; r++) (isTest(fileRows[r]!) ? test : train).push(r);

const started = performance.now();
const result = await fitTermModel(subset(table, train), {
  threads: defaultThreads(),
  workerEntry: fileURLToPath(new URL("../packages/cli/bin/retainwise.mjs", import.meta.url)),
  ...settings,
});
const seconds = (performance.now() - started) / 1000;
const { logOdds } = scoreTermModel(result.model, tableCodes(result.model, table, test), test.length);
writeFileSync(
  out,
  "row,probability\n" + test.map((r, k) => `${fileRows[r]},${1 / (1 + Math.exp(-logOdds[k]!))}`).join("\n") + "\n",
);
console.log(
  JSON.stringify({
    file: path,
    fitSeconds: Number(seconds.toFixed(1)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    inputs: table.inputs.length,
    terms: result.model.terms.length,
    forestTrees: result.model.forest?.trees.length ?? 0,
    rounds: result.rounds,
    skippedRows: rowErrors.length,
    internalHeldOut: { auc: result.heldOut.auc, brier: result.heldOut.brier },
  }),
);

/** The file row number of each table row: the reader keeps rows in file order and lists the ones it skipped. */
function fileRowNumbers(rows: number, skipped: { row: number }[]): number[] {
  // The reader lists its first 100 skipped rows only (read-table.ts); past them numbers would be guesses.
  if (skipped.length >= 100)
    throw new Error(
      `the reader skipped ${skipped.length}+ rows (first: row ${skipped[0]!.row}); file rows cannot be matched to the split`,
    );
  const skip = new Set(skipped.map((e) => e.row));
  const numbers: number[] = [];
  for (let fileRow = 1; numbers.length < rows; fileRow++) if (!skip.has(fileRow)) numbers.push(fileRow);
  return numbers;
}

function subset(t: TrainingTable, rows: number[]): TrainingTable {
  return {
    rows: rows.length,
    labels: Uint8Array.from(rows, (r) => t.labels[r]!),
    inputs: t.inputs.map((input) =>
      input.role === "numeric"
        ? { ...input, values: Float64Array.from(rows, (r) => input.values[r]!) }
        : { ...input, codes: Int32Array.from(rows, (r) => input.codes[r]!) },
    ),
  };
}
