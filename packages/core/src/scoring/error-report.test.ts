import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunked, collector } from "../../../../tests/support/score-text.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv } from "../../../../tests/support/telco.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { errorReportPreview } from "./error-report.ts";
import type { RowError } from "./summary-types.ts";
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

  it("is previewed, byte for byte, from the row errors a failure or a summary keeps", async () => {
    const telco = readTelco();
    // Spreadsheet-unsafe ids and commas in them: the preview must escape them as the report does.
    const rows = telco.rows.slice(0, 60).map((row, i) => {
      const copy = [...row];
      copy[0] = i % 2 ? `=id, ${i}` : `id-${i}`;
      if (i % 3 === 0) copy[telco.headers.indexOf("tenure")] = "not a number";
      return copy;
    });
    const errors = collector();
    const failure = await scoreCsv({
      input: chunked(toCsv(telco.headers, rows)),
      output: collector().stream,
      errors: errors.stream,
      model,
    }).catch((error: unknown) => error as { code: string; details: { rowErrors: RowError[] } });
    expect(failure).toMatchObject({ code: "csv.too_many_bad_rows" });
    const kept = (failure as { details: { rowErrors: RowError[] } }).details.rowErrors;
    expect(kept).toHaveLength(20);
    const report = errors.text().split("\n");
    expect(errorReportPreview(kept, 5)).toBe(report.slice(0, 6).join("\n") + "\n");
    expect(errorReportPreview(kept, 100)).toBe(errors.text());
  });
});
