import { describe, expect, it } from "vitest";
import { COLUMN_ALIASES, normalizeHeader, resolveColumns } from "./columns.ts";

const WANTED = ["customerID", "tenure", "MonthlyCharges", "TotalCharges", "Contract"];

describe("normalizeHeader", () => {
  it.each([
    ["TotalCharges", "totalcharges"],
    ["Total Charges", "totalcharges"],
    ["total_charges", "totalcharges"],
    ["TOTAL-CHARGES", "totalcharges"],
    [" tenure ", "tenure"],
    ["ＴＥＮＵＲＥ", "tenure"],
  ])("reads %j as %j", (header, normalized) => {
    expect(normalizeHeader(header)).toBe(normalized);
  });
});

describe("resolveColumns", () => {
  it("finds each wanted column by its normalized name, in any order", () => {
    const headers = ["Contract", "total charges", "Monthly_Charges", "TENURE", "Customer ID"];
    expect(Object.fromEntries(resolveColumns(headers, WANTED))).toEqual({
      customerID: 4,
      tenure: 3,
      MonthlyCharges: 2,
      TotalCharges: 1,
      Contract: 0,
    });
  });

  it("finds every column through the alias table", () => {
    const headers = ["customer_id", "months_subscribed", "mrr", "ltv", "plan"];
    expect(Object.fromEntries(resolveColumns(headers, WANTED))).toEqual({
      customerID: 0,
      tenure: 1,
      MonthlyCharges: 2,
      TotalCharges: 3,
      Contract: 4,
    });
  });

  it("prefers the canonical name over an alias when a file has both", () => {
    expect(
      resolveColumns(["plan", "Contract", "id", "customerID", "tenure", "mrr", "ltv"], WANTED).get("Contract"),
    ).toBe(1);
    expect(
      resolveColumns(["plan", "Contract", "id", "customerID", "tenure", "mrr", "ltv"], WANTED).get("customerID"),
    ).toBe(3);
  });

  it("has no alias that normalizes to another column's name or alias", () => {
    const owners = new Map<string, Set<string>>();
    for (const [name, aliases] of Object.entries(COLUMN_ALIASES)) {
      for (const key of [name, ...aliases].map(normalizeHeader))
        owners.set(key, (owners.get(key) ?? new Set()).add(name));
    }
    expect([...owners].filter(([, names]) => names.size > 1)).toEqual([]);
  });

  it("ignores blank headers when checking for duplicates", () => {
    expect(() => resolveColumns(["customerID", "", "tenure", " ", "mrr", "ltv", "plan"], WANTED)).not.toThrow();
  });

  it("lists every duplicate in one message", () => {
    expect(() => resolveColumns(["tenure", "Tenure", "plan", "PLAN"], WANTED)).toThrow(
      /"tenure" and "Tenure", "plan" and "PLAN"/,
    );
  });

  it("names up to two close headers for a missing column", () => {
    const attempt = () =>
      resolveColumns(["customerID", "MonthlyCharge", "MonthCharges", "ltv", "plan", "tenure"], WANTED);
    expect(attempt).toThrow(/missing a required column: MonthlyCharges \(closest: "MonthlyCharge", "MonthCharges"\)/);
  });

  it("says none were found for a header of blanks", () => {
    expect(() => resolveColumns(["", " "], ["customerID"])).toThrow(/Found: none\./);
  });
});
