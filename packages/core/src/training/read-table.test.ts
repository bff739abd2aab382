import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readTelco, TELCO_ROWS, toCsv } from "../../../../tests/support/telco.ts";
import { readTrainingTable, type ReadTrainingOptions } from "./read-table.ts";
import { mulberry32 } from "./split.ts";

const read = (text: string, options: ReadTrainingOptions) =>
  readTrainingTable(Readable.from([Buffer.from(text)]), options);
const failure = async (text: string, options: ReadTrainingOptions) => {
  try {
    await read(text, options);
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error("expected readTrainingTable to fail");
};

/** A bank-like churn table built from a seed: every kind of column the role detection must tell apart. */
function bankTable(rows = 400): { headers: string[]; rows: string[][] } {
  const random = mulberry32(7);
  const surnames = Array.from({ length: 300 }, (_, i) => `Name${i}`);
  const out: string[][] = [];
  for (let r = 0; r < rows; r++) {
    const age = 18 + Math.floor(random() * 60);
    const active = random() < 0.5;
    const exited = random() < 0.15 + (active ? 0 : 0.2) + (age > 50 ? 0.15 : 0);
    const balance = Math.floor(random() * 200000 * 100) / 100;
    out.push([
      String(r + 1),
      String(15_000_000 + Math.floor(random() * 1_000_000) * 7 + r),
      surnames[Math.floor(random() * surnames.length)]!,
      String(age),
      ["France", "Spain", "Germany"][Math.floor(random() * 3)]!,
      `$${balance.toLocaleString("en-US", { minimumFractionDigits: 2 })}`,
      active ? "yes" : "no",
      random() < 0.7 ? "1" : "0",
      random() < 0.5 ? "TRUE" : "false",
      "retail",
      `2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      exited ? `2025-0${1 + Math.floor(random() * 9)}-0${1 + Math.floor(random() * 8)}` : "",
      exited ? "closed" : "open",
      exited ? "1" : "0",
    ]);
  }
  const headers = [
    "RowNumber",
    "CustomerId",
    "Surname",
    "Age",
    "Geography",
    "Balance",
    "IsActiveMember",
    "HasCrCard",
    "Newsletter",
    "Segment",
    "SignupDate",
    "ChurnDate",
    "AccountStatus",
    "Exited",
  ];
  return { headers, rows: out };
}

describe("readTrainingTable on the Telco fixture", () => {
  const telco = readTelco();

  it("reads every row, finds the label tolerantly and leaves the customer id out", async () => {
    const input = await read(toCsv(telco.headers, telco.rows), { label: "churn" });
    expect(input.rows).toBe(TELCO_ROWS);
    expect(input.label).toEqual({ column: "Churn", positive: "Yes" });
    expect(input.columns.map((c) => c.name)).toEqual(telco.headers);
    const roles = Object.fromEntries(input.columns.map((c) => [c.name, c.role]));
    expect(roles).toMatchObject({
      customerID: "identifier",
      Churn: "label",
      tenure: "numeric",
      MonthlyCharges: "numeric",
      TotalCharges: "numeric",
      Contract: "categorical",
      Partner: "boolean",
      SeniorCitizen: "boolean",
    });
    expect(input.table.inputs.map((i) => i.name)).toEqual(
      telco.headers.filter((h) => h !== "customerID" && h !== "Churn"),
    );
    expect(input.ids?.[0]).toBe(telco.rows[0]![0]);
    expect(input.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads a European Excel export (BOM, CRLF, semicolons, decimal commas) into the same table", async () => {
    const plain = await read(toCsv(telco.headers, telco.rows), { label: "Churn" });
    const eu = await read(
      toCsv(
        telco.headers,
        telco.rows.map((r) => r.map((c) => c.replace(".", ","))),
        { delimiter: ";", bom: true, newline: "\r\n" },
      ),
      { label: "Churn" },
    );
    expect(eu.numberFormat.decimal).toBe(",");
    expect(eu.table).toEqual(plain.table);
    expect(eu.columns).toEqual(plain.columns);
  });

  it("skips ragged rows with their row numbers instead of failing on csv-parse's raw error", async () => {
    const rows = telco.rows.slice(0, 300).map((r, i) => (i === 9 ? r.slice(0, 5) : r));
    const input = await read(toCsv(telco.headers, rows), { label: "Churn" });
    expect(input.rows).toBe(299);
    expect(input.rowErrors).toEqual([{ row: 10, reason: "the row has 5 fields but the header has 21" }]);
  });

  it("uses exactly the --input columns, and leaves out --exclude ones, saying so", async () => {
    const only = await read(toCsv(telco.headers, telco.rows), {
      label: "Churn",
      inputs: ["tenure", "contract", "customerID"],
    });
    expect(only.table.inputs.map((i) => [i.name, i.role])).toEqual([
      ["customerID", "categorical"],
      ["tenure", "numeric"],
      ["Contract", "categorical"],
    ]);
    expect(only.columns.find((c) => c.name === "gender")!.reason).toMatch(/^left out: not listed in --input/);
    const without = await read(toCsv(telco.headers, telco.rows), { label: "Churn", exclude: ["gender"] });
    expect(without.table.inputs.map((i) => i.name)).not.toContain("gender");
    expect(without.columns.find((c) => c.name === "gender")!.reason).toMatch(/^left out by --exclude/);
  });
});

describe("column roles on a crafted bank table", () => {
  it("tells identifiers, free text, constants, dates, leakage, money, booleans and categories apart", async () => {
    const bank = bankTable();
    const input = await read(toCsv(bank.headers, bank.rows), { label: "Exited" });
    const roles = Object.fromEntries(input.columns.map((c) => [c.name, c.role]));
    expect(roles).toEqual({
      RowNumber: "identifier",
      CustomerId: "identifier",
      Surname: "free_text",
      Age: "numeric",
      Geography: "categorical",
      Balance: "numeric",
      IsActiveMember: "boolean",
      HasCrCard: "boolean",
      Newsletter: "boolean",
      Segment: "constant",
      SignupDate: "date",
      ChurnDate: "leakage_suspect",
      AccountStatus: "leakage_suspect",
      Exited: "label",
    });
    expect(input.label).toEqual({ column: "Exited", positive: "1" });
    expect(input.table.inputs.map((i) => i.name)).toEqual([
      "Age",
      "Geography",
      "Balance",
      "IsActiveMember",
      "HasCrCard",
      "Newsletter",
    ]);
    const balance = input.table.inputs.find((i) => i.name === "Balance")!;
    expect(balance.role === "numeric" && balance.values[0]).toBe(Number(bank.rows[0]![5]!.replace(/[$,]/g, "")));
    for (const column of input.columns) expect(column.reason.length).toBeGreaterThan(5);
    expect(input.columns.find((c) => c.name === "RowNumber")!.reason).toContain("row counter");
    expect(input.columns.find((c) => c.name === "AccountStatus")!.reason).toContain("alone predicts the label");
  });

  it("keeps a leakage suspect named with --input", async () => {
    const bank = bankTable();
    const input = await read(toCsv(bank.headers, bank.rows), { label: "Exited", inputs: ["Age", "AccountStatus"] });
    expect(input.table.inputs.map((i) => i.name)).toEqual(["Age", "AccountStatus"]);
  });
});

describe("training input failures", () => {
  const telco = readTelco();
  const text = (rows: string[][], headers = telco.headers) => toCsv(headers, rows);
  const churn = telco.headers.indexOf("Churn");
  const relabel = (value: (i: number) => string, n = 200) =>
    telco.rows.slice(0, n).map((r, i) => r.map((c, j) => (j === churn ? value(i) : c)));

  it.each([
    [
      "a missing label column, offering the closest names",
      () => text(telco.rows.slice(0, 50)),
      { label: "Churned" },
      "train.missing_label",
      /no label column "Churned". Did you mean "Churn"\?/,
    ],
    [
      "a label with one class only",
      () => text(relabel(() => "No")),
      { label: "Churn" },
      "train.one_class",
      /Every row has Churn = "No"/,
    ],
    [
      "fewer than 20 rows of the rarer class",
      () => text(relabel((i) => (i < 19 ? "Yes" : "No"))),
      { label: "Churn" },
      "train.too_few_rows_of_class",
      /Only 19 churned \(Churn = "Yes"\) customers.*at least 20/,
    ],
    [
      "a label of three values",
      () => text(relabel((i) => ["Yes", "No", "Maybe"][i % 3]!)),
      { label: "Churn" },
      "train.label_classes",
      /holds 3 values \("Yes" \(67 rows\), "No" \(67 rows\), "Maybe" \(66 rows\)\).*--positive VALUE/,
    ],
    [
      "two label values neither of which reads as churn",
      () => text(relabel((i) => (i % 2 ? "A" : "B"))),
      { label: "Churn" },
      "train.unknown_positive",
      /Cannot tell which Churn value means churned: "B" \(100 rows\) or "A" \(100 rows\).*--positive "B" if "B" means churned/,
    ],
    [
      "a --positive value no row has",
      () => text(telco.rows.slice(0, 100)),
      { label: "Churn", positive: "Churned" },
      "train.unknown_positive",
      /No row has Churn = "Churned"/,
    ],
    [
      "no usable input columns",
      () =>
        text(
          telco.rows.map((r) => [r[0]!, r[churn]!]),
          ["customerID", "Churn"],
        ),
      { label: "Churn" },
      "train.no_inputs",
      /customerID \(identifier\)/,
    ],
    [
      "more rows than the cap",
      () => text(telco.rows.slice(0, 100)),
      { label: "Churn", maxRows: 50 },
      "train.too_many_rows",
      /more than 50 rows.*--max-rows/,
    ],
    [
      "more rows x columns than the cell cap (memory), while it is read",
      () => text(telco.rows.slice(0, 100)),
      { label: "Churn", maxCells: 21 * 60 },
      "train.too_large",
      /with its 21 columns at most 60 rows fit \(rows x columns at most 1,260 cells\)/,
    ],
    [
      "an --input column the file does not have",
      () => text(telco.rows.slice(0, 100)),
      { label: "Churn", inputs: ["tenur"] },
      "train.unknown_column",
      /no column "tenur". Did you mean "tenure"\?/,
    ],
    ["a header with no data rows", () => text([]), { label: "Churn" }, "train.empty_file", /no data rows/],
  ] as const)("fails clearly on %s", async (_name, input, options, code, message) => {
    const error = await failure(input(), options);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("counts every other value as retained with --positive when the label has more than two", async () => {
    const input = await read(text(relabel((i) => ["Yes", "No", "Maybe"][i % 3]!)), { label: "Churn", positive: "yes" });
    expect(input.label.positive).toBe("Yes");
    expect(input.table.labels.reduce((n, y) => n + y, 0)).toBe(67);
  });
});
