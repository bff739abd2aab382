import { describe, expect, it } from "vitest";
import { detectNumberFormat, numberProblem, parseNumber, POINT_DECIMAL, type NumberFormat } from "./numbers.ts";

const COMMA: NumberFormat = { decimal: ",", decided: true };
const POINT: NumberFormat = { decimal: ".", decided: true };

describe("detectNumberFormat", () => {
  it.each([
    [["56,95", "1889,5", "12"], ","],
    [["1.234,50", "7"], ","],
    [["1 234,50"], ","],
    [["€ 56,95", "EUR 12,5"], ","],
    [["56.95", "1889.5"], "."],
    [["1,234.50", "$12.00"], "."],
    [["0,125"], ","],
    [["1234,567"], ","],
  ])("reads the decimal separator of %j as %j", (cells, decimal) => {
    expect(detectNumberFormat(cells)).toEqual({ decimal, decided: true });
  });

  it("takes no evidence from integers, `1,234`-like cells, dates or text, and defaults to a point", () => {
    expect(
      detectNumberFormat(["12", "1,234", "1.234", "2024-01-31", "01.02.2024", "7590-VHVEG", "Month-to-month", ""]),
    ).toEqual(POINT_DECIMAL);
  });

  it("follows the majority when a few cells disagree", () => {
    expect(detectNumberFormat(["56,95", "20,1", "3,5", "1.5"]).decimal).toBe(",");
  });
});

describe("parseNumber", () => {
  it.each([
    ["42", POINT, 42],
    ["-3.5", POINT, -3.5],
    ["+3.5", POINT, 3.5],
    [" 56.95 ", POINT, 56.95],
    ["1,234.50", POINT, 1234.5],
    ["1,234,567", POINT, 1234567],
    ["1 234.5", POINT, 1234.5],
    ["1'234.5", POINT, 1234.5],
    ["$1,234.50", POINT, 1234.5],
    ["-$5.25", POINT, -5.25],
    ["$-5.25", POINT, -5.25],
    ["USD 12", POINT, 12],
    ["12 USD", POINT, 12],
    ["56,95", COMMA, 56.95],
    ["1.234,50", COMMA, 1234.5],
    ["1 234,50", COMMA, 1234.5],
    ["1\u00a0234,50", COMMA, 1234.5],
    ["1.234", COMMA, 1234],
    ["€ 56,95", COMMA, 56.95],
    ["56,95 €", COMMA, 56.95],
    ["EUR 1.889,50", COMMA, 1889.5],
    ["£3", POINT, 3],
    ["\u22125,5", COMMA, -5.5],
  ])("reads %j as %d", (cell, format, value) => {
    expect(parseNumber(cell, format)).toBe(value);
  });

  it("reads a blank cell as NaN", () => {
    expect(parseNumber("", POINT)).toBeNaN();
    expect(parseNumber("   ", COMMA)).toBeNaN();
  });

  it.each([
    ["abc", "is not a number", POINT],
    ["12abc", "is not a number", POINT],
    ["1e5", "is not a number", POINT],
    ["0x10", "is not a number", POINT],
    ["1,23,4", "is not a number", POINT],
    ["1.2.3", "is not a number", COMMA],
    ["56.95", "is ambiguous: this file writes decimals with a comma (56,95)", COMMA],
    ["56,95", "is ambiguous: this file writes decimals with a point (56.95)", POINT],
    ["1,234", "is ambiguous: it could be 1234 or 1.234", POINT_DECIMAL],
  ])("refuses %j: it %s", (cell, problem, format) => {
    expect(parseNumber(cell, format)).toBeUndefined();
    expect(numberProblem(cell, format)).toContain(problem);
  });

  it("reads `1,234` as 1234 once the file has shown that its decimals use a point", () => {
    expect(parseNumber("1,234", POINT)).toBe(1234);
  });

  it("agrees with Number on plain cells of either separator", () => {
    for (let i = 0; i < 2000; i++) {
      const x = Math.round(Math.sin(i) * 10 ** (i % 7) * 100) / 100 + 0; // + 0: no -0, which prints as "0"
      expect(parseNumber(String(x), POINT)).toBe(x);
      expect(parseNumber(String(x).replace(".", ","), COMMA)).toBe(x);
    }
  });
});
