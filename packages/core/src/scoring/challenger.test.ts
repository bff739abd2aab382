import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_PATH, readTelco, toCsv, type Table } from "../../../../tests/support/telco.ts";
import { PROGRAM_ENTRY, scoreFailure, scoreText } from "../../../../tests/support/score-text.ts";
import { telcoTermModel, writeTermModel } from "../../../../tests/support/term-fixtures.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { driftCounterFor } from "../outcomes/drift.ts";
import { PARALLEL_MIN_BYTES } from "./parallel.ts";

/**
 * The scoring hook of champion / challenger and drift: the shipped model as champion, a term-tables
 * model of the Telco columns with seeded tables as challenger, on one thread and on two.
 */
let dir: string;
let champion: ChurnModel;
let challenger: ChurnModel;
let telco: Table;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-challenger-"));
  telco = readTelco();
  champion = await loadModel(DEFAULT_MODEL_PATH);
  challenger = await loadModel(writeTermModel(dir, telcoTermModel(telco)));
});
afterAll(async () => {
  await Promise.all([champion?.release(), challenger?.release()]);
  await rm(dir, { recursive: true, force: true });
});

const rowsOf = (output: string) => parse(output, { columns: true }) as Record<string, string>[];

describe("scoring with a challenger", () => {
  it("adds challenger_probability after churn_probability, the challenger's own score, and leaves every champion column as it is alone", async () => {
    const text = toCsv(telco.headers, telco.rows.slice(0, 800));
    const [both, alone, second] = await Promise.all([
      scoreText(champion, text, { challenger }),
      scoreText(champion, text),
      scoreText(challenger, text),
    ]);
    expect(both.output.slice(0, both.output.indexOf("\n"))).toBe(
      "customer_id,churn_probability,challenger_probability,risk_level,risk_factors,protective_factors,retention_action,model_version,error",
    );
    const [pairs, solo, other] = [rowsOf(both.output), rowsOf(alone.output), rowsOf(second.output)];
    pairs.forEach(({ challenger_probability, ...rest }, i) => {
      expect(rest).toEqual(solo[i]);
      expect(challenger_probability).toBe(other[i]!.churn_probability);
    });
    expect(both.summary).toEqual(alone.summary);
  });

  it("leaves the challenger cell blank on a row the champion could not score", async () => {
    const rows = telco.rows.slice(0, 10).map((r, i) => (i === 3 ? r.slice(0, 5) : r));
    const out = rowsOf((await scoreText(champion, toCsv(telco.headers, rows), { challenger })).output);
    expect(out[3]).toMatchObject({ churn_probability: "", challenger_probability: "", risk_level: "" });
    expect(out[3]!.error).toMatch(/^row 4: the row has 5 fields/);
    expect(out.filter((r) => r.challenger_probability !== "")).toHaveLength(9);
  });

  it("fails a file without the challenger's columns, naming the challenger", async () => {
    const wider = telcoTermModel(telco);
    wider.inputs.push({ role: "categorical", name: "region", label: "Region", categories: ["north"] });
    wider.terms.push({ kind: "main", inputs: [wider.inputs.length - 1], table: [0, 0, 0] });
    const needsRegion = await loadModel(writeTermModel(dir, wider, "needs-region"));
    try {
      const error = await scoreFailure(champion, toCsv(telco.headers, telco.rows.slice(0, 10)), {
        challenger: needsRegion,
      });
      expect(error.code).toBe("csv.missing_columns");
      expect(error.message).toMatch(/^The challenger model t1 cannot score this file: .*region/);
    } finally {
      await needsRegion.release();
    }
  });

  it.each([
    { way: "a stream, copied to a temporary file", fromFile: false },
    { way: "ranges of a file on disk", fromFile: true },
  ])(
    "writes the same bytes and counts the same drift for a large file on one thread and on two, in $way",
    async ({ fromFile }) => {
      const rows = Array.from({ length: 66_000 }, (_, i) => [
        `D${i}`,
        ...telco.rows[(i * 7919) % telco.rows.length]!.slice(1),
      ]);
      const text = toCsv(telco.headers, rows);
      expect(Buffer.byteLength(text)).toBeGreaterThan(PARALLEL_MIN_BYTES);
      const [oneDrift, twoDrift] = [driftCounterFor(champion.card)!, driftCounterFor(champion.card)!];
      const one = await scoreText(champion, text, { threads: 1, challenger, drift: oneDrift });
      const two = await scoreText(champion, text, {
        threads: 2,
        workerEntry: PROGRAM_ENTRY,
        challenger,
        drift: twoDrift,
        fromFile,
      });
      expect(two.summary.rowsScored).toBe(rows.length);
      expect(two.output === one.output).toBe(true);
      expect(one.output.split("\n", 2)[1]).toMatch(/^D0,0\.\d{4},0\.\d{4},/);
      expect(twoDrift.state()).toEqual(oneDrift.state());
      expect(oneDrift.state().rows).toBe(rows.length);
    },
    180_000,
  );
});
