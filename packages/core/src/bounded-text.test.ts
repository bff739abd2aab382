import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreFailure, scoreText } from "../../../tests/support/score-text.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv } from "../../../tests/support/telco.ts";
import { ECHO_MAX_CHARS, ellipsize, listWithMore } from "./bounded-text.ts";
import { createLogger, LOG_FIELD_MAX_CHARS } from "./log.ts";
import { loadModel, type ChurnModel } from "./model/index.ts";

describe("ellipsize and listWithMore", () => {
  it("cut long text with an ellipsis and leave short text alone", () => {
    expect(ellipsize("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(ellipsize("7590-VHVEG")).toBe("7590-VHVEG");
  });

  it("name the first items of a long list and count the rest", () => {
    expect(listWithMore(["a", "b", "c"], 2)).toBe("a, b and 1 more");
    expect(listWithMore(["a", "b"], 2)).toBe("a, b");
  });
});

describe("echoes of customer data", () => {
  let model: ChurnModel;
  beforeAll(async () => {
    model = await loadModel(DEFAULT_MODEL_PATH);
  });
  afterAll(() => model.release());

  it("keeps a megabyte customer id and cell out of the summary, yet whole in the scored file, the id failing its row", async () => {
    const telco = readTelco();
    const huge = "=".repeat(1_000_000);
    const rows = telco.rows.slice(0, 30).map((r) => [...r]);
    rows[0]![0] = huge;
    rows[0]![15] = "Two year" + " ".repeat(10) + "x".repeat(1_000_000); // Contract: an unknown category, echoed in reasons
    rows[1]![0] = "B".repeat(1_000_000);
    rows[1]![5] = "twelve";
    const { summary, output, errors } = await scoreText(model, toCsv(telco.headers, rows));
    const json = JSON.stringify(summary);
    expect(json.length).toBeLessThan(40_000);
    // Both ids are over the stored bound (CUSTOMER_ID_MAX_CHARS): their rows fail, each named by its id shortened.
    expect(summary.rowErrors.map((e) => e.customerId)).toEqual([
      `${"=".repeat(ECHO_MAX_CHARS - 1)}…`,
      `${"B".repeat(ECHO_MAX_CHARS - 1)}…`,
    ]);
    expect(summary.rowErrors[1]!.reason).toMatch(/^customer id longer than 200 characters \(1,000,000\)/);
    expect(summary.topRisks.every((t) => t.customerId.length <= ECHO_MAX_CHARS)).toBe(true);
    expect(errors.length).toBeLessThan(1_000);
    expect(output.length).toBeGreaterThan(2_000_000);
  });

  it("names at most 20 columns of a 30,000-column header when columns are missing", async () => {
    const headers = Array.from({ length: 30_000 }, (_, i) => `column_${i}_${"w".repeat(100)}`);
    const error = await scoreFailure(model, `${headers.join(",")}\n${headers.map(() => "1").join(",")}\n`);
    expect(error.code).toBe("csv.missing_columns");
    expect(error.message).toContain("and 29,980 more");
    expect(error.message.length).toBeLessThan(3_000);
  });
});

describe("log lines", () => {
  it("stay bounded whatever a field or an error message holds", () => {
    const lines: string[] = [];
    const log = createLogger({}, { write: (line) => lines.push(line) });
    log.warn("x".repeat(100_000), { field: "y".repeat(100_000), error: new Error("z".repeat(100_000)) });
    expect(lines[0]!.length).toBeLessThan(4 * LOG_FIELD_MAX_CHARS);
    expect(JSON.parse(lines[0]!).error.message).toMatch(/…$/);
  });
});
