import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTelco, toCsv, type Table } from "../../../../tests/support/telco.ts";
import { PROGRAM_ENTRY, scoreFailure, scoreText } from "../../../../tests/support/score-text.ts";
import { telcoTermModel, writeTermModel } from "../../../../tests/support/term-fixtures.ts";
import { cardPathFor } from "../model/card.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { cardIdentifiers, customerIdColumn, NO_ID_COLUMN } from "./id-column.ts";
import { PARALLEL_MIN_BYTES } from "./parallel.ts";

/**
 * A term-tables model of the Telco columns whose card, as a trainer would write it for a file with
 * a row counter and a CLIENTNUM column, names both as identifiers; the scored file also has
 * Telco's customerID, which the alias table alone would pick.
 */
let dir: string;
let model: ChurnModel;
let telco: Table;
let headers: string[];
let rows: string[][];

const clientnum = (row: number) => String(708_082_083 + row * 4_517);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-id-column-"));
  telco = readTelco();
  const path = writeTermModel(dir, telcoTermModel(telco), "clientnum");
  const card = JSON.parse(await readFile(cardPathFor(path), "utf8")) as {
    columns: { name: string; role: string; reason: string }[];
  };
  card.columns.unshift(
    { name: "RowNumber", role: "identifier", reason: "a row counter" },
    { name: "CLIENTNUM", role: "identifier", reason: "whole numbers of 9+ digits" },
  );
  await writeFile(cardPathFor(path), JSON.stringify(card));
  model = await loadModel(path);
  headers = ["RowNumber", "CLIENTNUM", ...telco.headers];
  rows = telco.rows.slice(0, 300).map((r, i) => [String(i + 1), clientnum(i), ...r]);
});
afterAll(async () => {
  await model?.release();
  await rm(dir, { recursive: true, force: true });
});

const idsOf = (output: string) =>
  (parse(output, { columns: true }) as { customer_id: string }[]).map((r) => r.customer_id);

describe("the customer_id column when scoring", () => {
  it("is the model card's identifier column when the file has it, the best by name of several (CLIENTNUM before RowNumber, before customerID)", async () => {
    const scored = await scoreText(model, toCsv(headers, rows));
    expect(idsOf(scored.output).slice(0, 3)).toEqual([clientnum(0), clientnum(1), clientnum(2)]);
    expect(scored.summary.customerIds).toBe("column");
  });

  it("is the file's customerID when it lacks the card's identifier columns", async () => {
    const scored = await scoreText(model, toCsv(telco.headers, telco.rows.slice(0, 5)));
    expect(idsOf(scored.output)).toEqual(telco.rows.slice(0, 5).map((r) => r[0]));
  });

  it("is the row number when the file has neither", async () => {
    const keep = telco.headers.map((_, i) => i).filter((i) => telco.headers[i] !== "customerID");
    const scored = await scoreText(
      model,
      toCsv(
        keep.map((i) => telco.headers[i]!),
        telco.rows.slice(0, 3).map((r) => keep.map((i) => r[i]!)),
      ),
    );
    expect(idsOf(scored.output)).toEqual(["1", "2", "3"]);
    expect(scored.summary.customerIds).toBe("row_number");
  });

  it("is the column named by idColumn (--id-column), matched like every header, over the card's", async () => {
    const scored = await scoreText(model, toCsv(headers, rows), { idColumn: "customer id" });
    expect(idsOf(scored.output).slice(0, 2)).toEqual([rows[0]![2], rows[1]![2]]);
    const top = scored.summary.topRisks.map((r) => r.customerId);
    expect(top.every((id) => telco.rows.some((r) => r[0] === id))).toBe(true);
  });

  it("fails the file when the named id column is missing, naming the closest columns", async () => {
    const error = await scoreFailure(model, toCsv(headers, rows), { idColumn: "CLIENT_NUMBER" });
    expect(error.code).toBe("csv.missing_columns");
    expect(error.message).toMatch(
      /^The file has no column "CLIENT_NUMBER" to take customer ids from \(closest: "CLIENTNUM"\)\. Found: "RowNumber", "CLIENTNUM", "customerID", /,
    );
    expect(error.message).toMatch(
      /Name one of the file's columns as the id column, or leave it out to use the model's\.$/,
    );
  });

  it("is the named column on every thread of a large file", async () => {
    const copies = Math.ceil((PARALLEL_MIN_BYTES * 1.2) / Buffer.byteLength(toCsv(headers, rows)));
    const many = Array.from({ length: copies }, () => rows)
      .flat()
      .map((r, i) => [String(i + 1), clientnum(i), ...r.slice(2)]);
    const text = toCsv(headers, many);
    const [one, two] = await Promise.all([
      scoreText(model, text, { idColumn: "RowNumber" }),
      scoreText(model, text, {
        idColumn: "RowNumber",
        threads: 2,
        workerEntry: PROGRAM_ENTRY,
        fromFile: true,
        totalBytes: Buffer.byteLength(text),
      }),
    ]);
    expect(two.output).toBe(one.output);
    expect(idsOf(two.output).at(-1)).toBe(String(many.length));
    const cardIds = await scoreText(model, text, {
      threads: 2,
      workerEntry: PROGRAM_ENTRY,
      fromFile: true,
      totalBytes: Buffer.byteLength(text),
    });
    expect(idsOf(cardIds.output).at(-1)).toBe(clientnum(many.length - 1));
  }, 60_000);
});

describe("customerIdColumn", () => {
  it("ranks a card's identifiers by name: a customer's or account's id first, row counters and exported indexes last", () => {
    const card = {
      ...model.card!,
      columns: ["RowNumber", "Unnamed: 0", "Surname_key", "CustomerId"].map((name) => ({
        name,
        role: "identifier" as const,
        reason: "",
      })),
    };
    expect(cardIdentifiers(card)).toEqual(["CustomerId", "Surname_key", "RowNumber", "Unnamed: 0"]);
    expect(customerIdColumn(["RowNumber", "Age"], card)).toBe(0);
    expect(customerIdColumn(["Age"], card)).toBe(NO_ID_COLUMN);
  });

  it("ignores the card's identifiers when the card is not a term-tables card", () => {
    expect(cardIdentifiers(undefined)).toEqual([]);
    expect(customerIdColumn(["x", "user_id"], undefined)).toBe(1);
  });
});
