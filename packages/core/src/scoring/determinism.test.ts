import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROGRAM_ENTRY, scoreText } from "../../../../tests/support/score-text.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv, type Table } from "../../../../tests/support/telco.ts";
import { writeTelcoTermModel } from "../../../../tests/support/term-fixtures.ts";
import { cardPathFor, isTermTablesCard, loadModel, type ChurnModel } from "../model/index.ts";
import { PARALLEL_MIN_BYTES } from "./parallel.ts";

/**
 * Issue 11.5: with a term-tables model, a row's output line depends on the row alone, not on its
 * batch, its place in the file or the thread that scored it (the probability is a float64 sum of
 * per-term table values, in term order). Bring-your-own models are exempt: their probability
 * comes from onnxruntime's vectorised kernels, whose float32 rounding varies with the batch.
 */
const dir = mkdtempSync(join(tmpdir(), "rw-determinism-"));
const telco: Table = readTelco();
const models = [
  { name: "a term-tables model built in the test", load: () => loadModel(writeTelcoTermModel(dir, telco)) },
];
// The shipped model takes part as soon as it is a term-tables model (the trainer's new Telco model).
if (isTermTablesCard(JSON.parse(readFileSync(cardPathFor(DEFAULT_MODEL_PATH), "utf8"))))
  models.push({ name: "the shipped model", load: () => loadModel(DEFAULT_MODEL_PATH) });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Output line (without the error column's row number) by customer id. */
function linesById(output: string): Map<string, string> {
  const lines = output.trimEnd().split("\n").slice(1);
  return new Map(lines.map((line) => [line.slice(0, line.indexOf(",")), line]));
}

describe.each(models)("scoring with $name", ({ load }) => {
  let model: ChurnModel;
  beforeAll(async () => {
    model = await load();
  });
  afterAll(() => model.release());

  it("gives every row the same output line in batches of 1, 7 and 512, forward and reversed", async () => {
    const forward = linesById((await scoreText(model, toCsv(telco.headers, telco.rows))).output);
    expect(forward.size).toBe(telco.rows.length);
    const runs = [
      { batchSize: 1, rows: telco.rows },
      { batchSize: 7, rows: telco.rows },
      { batchSize: 512, rows: [...telco.rows].reverse() },
      { batchSize: 7, rows: [...telco.rows].reverse() },
    ];
    for (const { batchSize, rows } of runs) {
      const other = linesById((await scoreText(model, toCsv(telco.headers, rows), { batchSize })).output);
      expect(other).toEqual(forward);
    }
  }, 120_000);

  it("writes the same bytes (output, error report, scores) for a large file on one thread and on two, as a stream and from a file on disk", async () => {
    const rows = Array.from({ length: 66_000 }, (_, i) => [
      `D${i}`,
      ...telco.rows[(i * 7919) % telco.rows.length]!.slice(1),
    ]);
    // A few rows that fail, so that the error report has lines from more than one range.
    for (const at of [100, 40_000, 65_000]) rows[at]![5] = "twelve";
    const text = toCsv(telco.headers, rows);
    expect(Buffer.byteLength(text)).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const one = await scoreText(model, text, { threads: 1, withScores: true });
    expect(one.errors.trimEnd().split("\n")).toHaveLength(4);
    for (const fromFile of [false, true]) {
      const two = await scoreText(model, text, { threads: 2, workerEntry: PROGRAM_ENTRY, fromFile, withScores: true });
      expect(two.summary.rowsScored).toBe(rows.length - 3);
      expect(two.output === one.output).toBe(true);
      expect(two.errors).toBe(one.errors);
      expect(two.scores === one.scores).toBe(true);
    }
  }, 120_000);
});
