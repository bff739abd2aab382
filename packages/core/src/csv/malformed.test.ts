import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreFailure, scoreText } from "../../../../tests/support/score-text.ts";
import {
  DEFAULT_MODEL_PATH,
  readTelco,
  renameHeaders,
  selectColumns,
  toCsv,
  type Table,
} from "../../../../tests/support/telco.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";

let model: ChurnModel;
let telco: Table;
beforeAll(async () => {
  model = await loadModel(DEFAULT_MODEL_PATH);
  telco = readTelco();
});
afterAll(() => model.release());

/** The first `n` fixture rows as CSV lines (no header). */
const lines = (n: number, from = 0) => telco.rows.slice(from, from + n).map((r) => r.join(","));
const header = () => telco.headers.join(",");
const file = (...parts: string[]) => parts.join("\n") + "\n";
const column = (name: string) => telco.headers.indexOf(name);
/** Row `i` of the fixture with one cell replaced. */
const withCell = (i: number, name: string, value: string) =>
  telco.rows[i]!.map((c, j) => (j === column(name) ? value : c)).join(",");
const without = (...names: string[]) => {
  const t = selectColumns(
    telco,
    telco.headers.filter((h) => !names.includes(h)),
  );
  return toCsv(t.headers, t.rows.slice(0, 5));
};
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0,
]);
const ZIP = Uint8Array.from([
  0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0, 0x08, 0, 0, 0, 0x21, 0, 0x62, 0xee, 0x9d, 0x68, 0x5e, 0x01,
]);
const XLS = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0, 0, 0, 0, 0]);

interface FileCase {
  name: string;
  input: () => string | Uint8Array;
  code: string;
  message: (string | RegExp)[];
  maxBadRowShare?: number;
}

/** Whole-file problems: scoring rejects with a stable code and a message naming the problem. */
const fileCases: FileCase[] = [
  { name: "an empty file", input: () => "", code: "csv.empty", message: ["The file is empty"] },
  {
    name: "a file of only spaces and newlines",
    input: () => "  \n\n \r\n\t\n",
    code: "csv.empty",
    message: ["The file is empty", "header row"],
  },
  {
    name: "a file holding only a byte order mark",
    input: () => "\uFEFF",
    code: "csv.empty",
    message: ["The file is empty"],
  },
  {
    name: "a header row with no customer rows",
    input: () => file(header()),
    code: "csv.no_rows",
    message: ["header row but no customer rows"],
  },
  {
    name: "a header row followed only by blank lines",
    input: () => header() + "\r\n\r\n\r\n\r\n",
    code: "csv.no_rows",
    message: ["no customer rows"],
  },
  {
    name: "a blank header row (only delimiters)",
    input: () => file(",,,,", ...lines(3)),
    code: "csv.no_header",
    message: ["first row of the file is blank", "header row"],
  },
  {
    name: "a blank header row of quoted empty names",
    input: () => file('"","",""', ...lines(3)),
    code: "csv.no_header",
    message: ["needs a header row"],
  },
  { name: "PNG image bytes", input: () => PNG, code: "csv.not_text", message: ["not a UTF-8 text CSV", "CSV UTF-8"] },
  { name: "zip (xlsx) bytes", input: () => ZIP, code: "csv.not_text", message: ["Excel workbook or a zip"] },
  { name: "a legacy Excel .xls header", input: () => XLS, code: "csv.not_text", message: ["not a UTF-8 text CSV"] },
  {
    name: "a text file with NUL bytes inside",
    input: () =>
      Buffer.concat([Buffer.from(file(header(), ...lines(2))), Buffer.from([0, 0, 0]), Buffer.from(lines(1)[0]!)]),
    code: "csv.not_text",
    message: ["looks binary"],
  },
  {
    name: "a UTF-16LE file with a byte order mark",
    input: () => Buffer.from("\uFEFF" + file(header(), ...lines(3)), "utf16le"),
    code: "csv.not_text",
    message: ["UTF-16", "CSV UTF-8"],
  },
  {
    name: "a UTF-16LE file without a byte order mark",
    input: () => Buffer.from(file(header(), ...lines(3)), "utf16le"),
    code: "csv.not_text",
    message: ["UTF-16"],
  },
  {
    name: "a UTF-16BE file",
    input: () => Buffer.from(Buffer.from("\uFEFF" + file(header(), ...lines(3)), "utf16le").swap16()),
    code: "csv.not_text",
    message: ["UTF-16"],
  },
  {
    name: "Latin-1 text (invalid UTF-8)",
    input: () => Buffer.from(file(header(), ...lines(2), withCell(3, "Contract", "Ann\u00e9e")), "latin1"),
    code: "csv.not_text",
    message: ["not a UTF-8 text CSV"],
  },
  {
    name: "Windows-1252 text after the first 64 KiB",
    input: () =>
      Buffer.concat([
        Buffer.from(file(header(), ...lines(1000))),
        Buffer.from(withCell(1000, "Contract", "Ann\u00e9e") + "\n", "latin1"),
      ]),
    code: "csv.not_text",
    message: ["stops being UTF-8 text after about", "Windows-1252"],
  },
  {
    name: "a file that ends in the middle of a UTF-8 character",
    input: () => Buffer.concat([Buffer.from(file(header(), ...lines(1000)) + "x,"), Uint8Array.from([0xe2, 0x82])]),
    code: "csv.not_text",
    message: ["stops being UTF-8 text"],
  },
  {
    name: "a file missing the tenure column",
    input: () => without("tenure"),
    code: "csv.missing_columns",
    message: ["missing a required column: tenure", "Required columns: gender, ", 'Found: "customerID", "gender"'],
  },
  {
    name: "a file whose tenure header is misspelled",
    input: () => {
      const t = renameHeaders(telco, { tenure: "tenur" });
      return toCsv(t.headers, t.rows.slice(0, 3));
    },
    code: "csv.missing_columns",
    message: ['tenure (closest: "tenur")', '"tenur"'],
  },
  {
    name: "a file missing three columns",
    input: () => without("Contract", "MonthlyCharges", "PaymentMethod"),
    code: "csv.missing_columns",
    message: ["missing 3 required columns", "Contract", "MonthlyCharges", "PaymentMethod"],
  },
  {
    name: "a file with a single column",
    input: () => file("name", "Ann", "Bob"),
    code: "csv.missing_columns",
    message: [/missing \d+ required columns/, 'Found: "name"'],
  },
  {
    name: "a header naming tenure twice",
    input: () => file(header() + ",tenure", ...lines(2).map((l) => l + ",3")),
    code: "csv.duplicate_headers",
    message: ['same column more than once: "tenure"', "Rename or remove the duplicates"],
  },
  {
    name: 'a header with "tenure" and "Tenure " (equal once normalised)',
    input: () => file(header() + ",Tenure ", ...lines(2).map((l) => l + ",3")),
    code: "csv.duplicate_headers",
    message: ['"tenure" and "Tenure"'],
  },
  {
    name: 'a header with "TotalCharges" and "total_charges"',
    input: () => file(header() + ",total_charges", ...lines(2).map((l) => l + ",3")),
    code: "csv.duplicate_headers",
    message: ['"TotalCharges" and "total_charges"'],
  },
  {
    name: "an unclosed quote that swallows the rest of the file",
    input: () => file(header(), ...lines(3), withCell(3, "gender", '"Female'), ...lines(5, 4)),
    code: "csv.unclosed_quote",
    message: ["A quoted field in row 4 is never closed", "(to line 10)", 'Check row 4 for a stray " character'],
  },
  {
    name: "an unclosed quote after a row skipped for a stray quote",
    input: () =>
      file(
        header(),
        ...lines(1),
        withCell(1, "gender", 'Fe"male'),
        ...lines(3, 2),
        withCell(5, "gender", '"Female'),
        ...lines(5, 6),
      ),
    code: "csv.unclosed_quote",
    message: ["A quoted field in row 6 is never closed"],
  },
  {
    name: "text after a closing quote, which the parser cannot recover from",
    input: () => file(header(), ...lines(3), withCell(3, "gender", '"Female"x'), ...lines(5, 4)),
    code: "csv.invalid_quote",
    message: ["A quoted field in row 4 (line 5) has text after its closing quote", 'must be doubled ("")'],
  },
  {
    name: "an unclosed quote in the header row",
    input: () => file('"customerID,' + header(), ...lines(3)),
    code: "csv.unclosed_quote",
    message: ["A quoted field in the header row is never closed"],
  },
  {
    name: "more bad rows than the 10% allowed",
    input: () => file(header(), ...lines(8), withCell(8, "tenure", "twelve"), withCell(9, "tenure", "?")),
    code: "csv.too_many_bad_rows",
    message: [
      "2 of 10 rows (20.0%) could not be scored, more than the 10% allowed",
      'Most common problem (2 rows): tenure is not a number, first at row 9: tenure "twelve" is not a number.',
      "Fix these rows and try again with the corrected file.",
    ],
  },
  {
    name: "one bad row when no bad rows are allowed",
    input: () => file(header(), ...lines(50), withCell(50, "MonthlyCharges", "29.85 dollars")),
    maxBadRowShare: 0,
    code: "csv.too_many_bad_rows",
    message: [
      "1 of 51 rows",
      "more than the 0% allowed",
      'Most common problem (1 row): MonthlyCharges is not a number, first at row 51: MonthlyCharges "29.85 dollars" is not a number.',
    ],
  },
  {
    name: "a file where every row is ragged",
    input: () => file(header(), ...lines(5).map((l) => l.split(",").slice(0, 10).join(","))),
    code: "csv.too_many_bad_rows",
    message: [
      "5 of 5 rows (100.0%)",
      "Most common problem (5 rows): the row has 10 fields but the header has 21, first at row 1",
    ],
  },
];

describe("malformed CSV files", () => {
  for (const c of fileCases) {
    it(`rejects ${c.name} with ${c.code}`, async () => {
      const error = await scoreFailure(
        model,
        c.input(),
        c.maxBadRowShare === undefined ? {} : { maxBadRowShare: c.maxBadRowShare },
      );
      expect(error.code).toBe(c.code);
      for (const part of c.message) {
        if (typeof part === "string") expect(error.message).toContain(part);
        else expect(error.message).toMatch(part);
      }
    });
  }
});

interface RowCase {
  name: string;
  /** Data rows: one of them broken. */
  rows: () => string[];
  row: number;
  reason: string | RegExp;
}

const rowCases: RowCase[] = [
  {
    name: "a short ragged row",
    rows: () => [...lines(20), lines(1, 20)[0]!.split(",").slice(0, 20).join(",")],
    row: 21,
    reason: "the row has 20 fields but the header has 21",
  },
  {
    name: "a long ragged row",
    rows: () => [...lines(4), lines(1, 4)[0] + ",extra", ...lines(15, 5)],
    row: 5,
    reason: "the row has 22 fields but the header has 21",
  },
  {
    name: "a one-field row",
    rows: () => [...lines(10), "just-an-id", ...lines(10, 10)],
    row: 11,
    reason: "the row has 1 field but the header has 21",
  },
  {
    name: "a non-numeric tenure",
    rows: () => [...lines(2), withCell(2, "tenure", "twelve"), ...lines(17, 3)],
    row: 3,
    reason: 'tenure "twelve" is not a number',
  },
  {
    name: "a non-numeric MonthlyCharges",
    rows: () => [...lines(6), withCell(6, "MonthlyCharges", "29.85 dollars"), ...lines(13, 7)],
    row: 7,
    reason: 'MonthlyCharges "29.85 dollars" is not a number',
  },
  {
    name: "a decimal comma in TotalCharges of a file that writes decimal points",
    rows: () => [withCell(0, "TotalCharges", '"1840,75"'), ...lines(19, 1)],
    row: 1,
    reason: 'TotalCharges "1840,75" is ambiguous: this file writes decimals with a point (56.95)',
  },
  {
    name: "a very long non-numeric value, shortened in the reason",
    rows: () => [...lines(19), withCell(19, "tenure", "x".repeat(100))],
    row: 20,
    reason: `tenure "${"x".repeat(37)}..." is not a number`,
  },
  {
    name: "two stray quotes inside one unquoted field",
    rows: () => [...lines(3), withCell(3, "PaymentMethod", 'Mailed "paper" check'), ...lines(16, 4)],
    row: 4,
    reason: /line 5 could not be read: a quote \(".*not quoted correctly/,
  },
];

describe("row-level problems", () => {
  it("reports a decimal point in a file that writes decimal commas as ambiguous, naming the cell", async () => {
    const eu = telco.rows.slice(0, 20).map((r) => r.map((c) => c.replace(".", ",")));
    eu[3]![telco.headers.indexOf("MonthlyCharges")] = "56.95";
    const { summary } = await scoreText(model, toCsv(telco.headers, eu, { delimiter: ";" }));
    expect(summary.rowsScored).toBe(19);
    expect(summary.rowErrors).toMatchObject([
      { row: 4, reason: 'MonthlyCharges "56.95" is ambiguous: this file writes decimals with a comma (56,95)' },
    ]);
  });

  for (const c of rowCases) {
    it(`scores the other rows and reports ${c.name} with its row number and reason`, async () => {
      const rows = c.rows();
      const { summary, output } = await scoreText(model, file(header(), ...rows));
      expect(summary.rowsFailed).toBe(1);
      expect(summary.rowsScored).toBe(rows.length - 1);
      expect(summary.rowErrors).toHaveLength(1);
      expect(summary.rowErrors[0]!.row).toBe(c.row);
      if (typeof c.reason === "string") expect(summary.rowErrors[0]!.reason).toBe(c.reason);
      else expect(summary.rowErrors[0]!.reason).toMatch(c.reason);

      const scored = parse(output, { columns: true, relax_column_count: true }) as Record<string, string>[];
      expect(scored).toHaveLength(rows.length);
      const failed = scored[c.row - 1]!;
      expect(failed.churn_probability).toBe("");
      expect(failed.risk_level).toBe("");
      expect(failed.error).toBe(`row ${c.row}: ${summary.rowErrors[0]!.reason}`);
      expect(scored.filter((r) => r.error !== "")).toHaveLength(1);
    });
  }

  it("reports stray quotes on two consecutive rows as two failed rows, in place", async () => {
    const rows = [...lines(3), withCell(3, "gender", 'Fe"male'), withCell(4, "gender", 'Ma"le'), ...lines(25, 5)];
    const { summary, output } = await scoreText(model, file(header(), ...rows));
    expect(summary.rowsFailed).toBe(2);
    expect(summary.rowErrors.map((e) => e.row)).toEqual([4, 5]);
    expect(summary.rowErrors[1]!.reason).toBe(
      'line 6 could not be read: a quote (") appears inside a field that was not quoted correctly',
    );
    const scored = parse(output, { columns: true }) as Record<string, string>[];
    expect(scored).toHaveLength(rows.length);
    expect(scored[5]!.customer_id).toBe(telco.rows[5]![0]);
  });

  it("keeps the customer id of a row it cannot score", async () => {
    const { output } = await scoreText(model, file(header(), withCell(0, "tenure", "n/a"), ...lines(19, 1)));
    const [first] = parse(output, { columns: true }) as Record<string, string>[];
    expect(first!.customer_id).toBe(telco.rows[0]![0]);
    expect(first!.error).toBe('row 1: tenure "n/a" is not a number');
  });

  it("succeeds with a few bad rows under the limit, counting each and filling its error column", async () => {
    const bad = new Set([10, 200, 3000]);
    const rows = telco.rows.map((r, i) => (bad.has(i) ? withCell(i, "tenure", "unknown") : r.join(",")));
    const { summary, output } = await scoreText(model, file(header(), ...rows));
    expect(summary.rowsFailed).toBe(3);
    expect(summary.rowsScored).toBe(telco.rows.length - 3);
    expect(summary.rowErrors.map((e) => e.row)).toEqual([11, 201, 3001]);
    const scored = parse(output, { columns: true }) as Record<string, string>[];
    expect(scored.filter((r) => r.error !== "").map((r) => r.error)).toEqual([
      'row 11: tenure "unknown" is not a number',
      'row 201: tenure "unknown" is not a number',
      'row 3001: tenure "unknown" is not a number',
    ]);
  });

  it("skips blank lines before the header and between rows without counting them", async () => {
    const { summary } = await scoreText(model, "\n\n" + file(header(), ...lines(3), "", ...lines(3, 3)));
    expect(summary.rowsScored).toBe(6);
    expect(summary.rowsFailed).toBe(0);
  });

  it("reads a last row that has no trailing newline", async () => {
    const { summary } = await scoreText(model, [header(), ...lines(4)].join("\n"));
    expect(summary.rowsScored).toBe(4);
  });
});
