/**
 * Our side of the bar (issue 10): reads a labeled CSV with the product's reader, trains on the
 * fixed split's training rows only, and writes the churn probability of every test row.
 * Rows are numbered from 1 in file order; a row is a test row when md5(str(row)) % 5 == 0.
 *
 * Run:  (cd packages/cli && node --import tsx ../../bench/compare-sklearn.ts <csv> <label> <ours.csv>)
 * Usually run by bench/compare-sklearn.sh, which then runs bench/compare-sklearn.py on the same rows.
 * Prints one JSON line: fit seconds, peak RSS, our internal held-out metrics, terms.
 */
import { createHash } from "node:crypto";
import { createReadStream, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scoreTermModel } from "../packages/core/src/model/term-scoring.ts";
import { fitTermModel, tableCodes } from "../packages/core/src/training/boost/index.ts";
import { defaultThreads } from "../packages/core/src/threads.ts";
import { readTrainingTable } from "../packages/core/src/training/read-table.ts";
import type { TrainingTable } from "../packages/core/src/training/table.ts";

const [path, label, out] = process.argv.slice(2);
if (!path || !label || !out) throw new Error("usage: compare-sklearn.ts <csv> <label> <ours.csv>");

const { table, rowErrors } = await readTrainingTable(createReadStream(path), { label });
// Table rows must be file rows for the split to be the one sklearn uses.
if (rowErrors.length > 0) throw new Error(`rows skipped by the reader: ${JSON.stringify(rowErrors.slice(0, 3))}`);
const isTest = (fileRow: number) => BigInt(`0x${createHash("md5").update(String(fileRow)).digest("hex")}`) % 5n === 0n;
const train: number[] = [];
const test: number[] = [];
for (let r = 0; r < table.rows; r++) (isTest(r + 1) ? test : train).push(r);

const started = performance.now();
const result = await fitTermModel(subset(table, train), { threads: defaultThreads(), workerEntry: fileURLToPath(new URL("../packages/cli/bin/retainwise.mjs", import.meta.url)) });
const seconds = (performance.now() - started) / 1000;
const { logOdds } = scoreTermModel(result.model, tableCodes(result.model, table, test), test.length);
writeFileSync(out, "row,probability\n" + test.map((r, k) => `${r + 1},${1 / (1 + Math.exp(-logOdds[k]!))}`).join("\n") + "\n");
console.log(
  JSON.stringify({
    file: path,
    fitSeconds: Number(seconds.toFixed(1)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    inputs: table.inputs.length,
    pairs: result.model.terms.filter((t) => t.kind === "pair").length,
    internalHeldOut: { auc: result.heldOut.auc, brier: result.heldOut.brier },
    calibration: result.calibration,
  }),
);

function subset(t: TrainingTable, rows: number[]): TrainingTable {
  return {
    rows: rows.length,
    labels: Uint8Array.from(rows, (r) => t.labels[r]!),
    inputs: t.inputs.map((input) =>
      input.role === "numeric" ? { ...input, values: Float64Array.from(rows, (r) => input.values[r]!) } : { ...input, codes: Int32Array.from(rows, (r) => input.codes[r]!) },
    ),
  };
}
