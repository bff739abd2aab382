import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreText } from "../../../../tests/support/score-text.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv } from "../../../../tests/support/telco.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { neutralizeFormula } from "./formula-cells.ts";

describe("neutralizeFormula", () => {
  it("puts a quote before a cell a spreadsheet would run as a formula", () => {
    for (const cell of ["=1+1", "@SUM(A1)", '=HYPERLINK("http://x","y")', "+1", "-1+2", "\tx", "\rx"])
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
  });

  it("leaves ordinary text, numbers and empty cells as they are", () => {
    for (const cell of ["7590-VHVEG", "0.7011", "", "Month-to-month", "a=b", " =1"])
      expect(neutralizeFormula(cell)).toBe(cell);
  });
});

describe("scored output opened in a spreadsheet", () => {
  let model: ChurnModel;
  beforeAll(async () => {
    model = await loadModel(DEFAULT_MODEL_PATH);
  });
  afterAll(() => model.release());

  it("starts no text cell with a formula character, ids and passed-through cells included, and keeps probabilities numbers", async () => {
    const telco = readTelco();
    const ids = ["=1+1", "@SUM(A1)", '=HYPERLINK("http://evil.example","click")', "+1", "-1+2"];
    const rows = ids.map((id, i) => [id, ...telco.rows[i]!.slice(1)]);
    const { output } = await scoreText(
      model,
      toCsv(
        ["customerID", ...telco.headers.slice(1), "=cmd|' /C calc'!A0"],
        rows.map((r) => [...r, "-2+3"]),
      ),
      { includeInput: true },
    );
    const [header, ...scored] = parse(output, { relax_column_count: true }) as string[][];
    expect(header!.at(-1)).toBe("'=cmd|' /C calc'!A0");
    expect(scored.map((r) => r[0])).toEqual(ids.map((id) => `'${id}`));
    for (const row of scored) {
      expect(row[1]).toMatch(/^0\.\d{4}$/);
      expect(row.at(-1)).toBe("'-2+3");
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});
