import { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunked, collector } from "../../../../tests/support/score-text.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv } from "../../../../tests/support/telco.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { errorReportHead } from "./error-report.ts";
import { scoreCsv } from "./score-csv.ts";

let model: ChurnModel;
beforeAll(async () => {
  model = await loadModel(DEFAULT_MODEL_PATH);
});
afterAll(() => model.release());

/** 8 rows `;`-separated, then 20 rows of another export glued on with `,`. */
function gluedExports(): string {
  const telco = readTelco();
  const semicolons = toCsv(telco.headers, telco.rows.slice(0, 8), { delimiter: ";" });
  const commas = toCsv(telco.headers, telco.rows.slice(8, 28)).split("\n").slice(1).join("\n");
  return semicolons + commas;
}

describe("the error report", () => {
  it("lists row, customer id and reason of every bad row, and is whole when the job fails on too many of them", async () => {
    const output = collector();
    const errors = collector();
    const scoring = scoreCsv({ input: chunked(gluedExports()), output: output.stream, errors: errors.stream, model });
    await expect(scoring).rejects.toMatchObject({
      code: "csv.too_many_bad_rows",
      message: expect.stringContaining(
        "20 of 28 rows (71.4%) could not be scored, more than the 10% allowed. Most common problem (20 rows): the row has 1 field but the header has 21: the delimiter changes from ';' to ',', first at row 9",
      ),
    });
    const rows = parse(errors.text()) as string[][];
    expect(rows[0]).toEqual(["row", "customer_id", "error"]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 9)));
    for (const row of rows.slice(1))
      expect(row[2]).toBe("the row has 1 field but the header has 21: the delimiter changes from ';' to ','");
    expect(errors.stream.writableFinished).toBe(true);
  });

  it("has only its header when every row scores", async () => {
    const telco = readTelco();
    const errors = collector();
    await scoreCsv({
      input: chunked(toCsv(telco.headers, telco.rows.slice(0, 50))),
      output: collector().stream,
      errors: errors.stream,
      model,
    });
    expect(errors.text()).toBe("row,customer_id,error\n");
  });

  it("reads back only the header and the first rows asked for", async () => {
    const report =
      "row,customer_id,error\n" + Array.from({ length: 500 }, (_, i) => `${i + 1},"id, ${i}",bad\n`).join("");
    const head = await errorReportHead(Readable.from([report]), 20);
    expect(parse(head)).toHaveLength(21);
    expect(head.split("\n")[1]).toBe('1,"id, 0",bad');
  });
});
