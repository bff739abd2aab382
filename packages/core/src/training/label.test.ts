import { describe, expect, it } from "vitest";
import { decidePositive, readLabelValue } from "./label.ts";

/** A label column of `a` in `na` rows and `b` in `nb` rows. */
const column = (a: string, na: number, b: string, nb: number) => [
  ...Array<string>(na).fill(a),
  ...Array<string>(nb).fill(b),
];

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error("expected a failure");
};

describe("readLabelValue", () => {
  it.each([
    "Attrited",
    "Attrited Customer",
    "Churned",
    "churn",
    "Cancelled",
    "Canceled",
    "Left",
    "Closed",
    "Account closed",
    "Exited",
    "Inactive",
    "Lost",
    "Terminated",
    "Yes",
    "YES",
    "y",
    "1",
    "1.0",
    "true",
    "TRUE",
    "T",
    "Not active",
    "lapsed",
  ])("reads %j as churned", (value) => {
    expect(readLabelValue(value)).toBe("churned");
  });

  it.each([
    "Existing Customer",
    "Active",
    "Stayed",
    "Retained",
    "Current",
    "No",
    "no",
    "n",
    "0",
    "0.0",
    "false",
    "F",
    "Not churned",
    "Non-churner",
    "No churn",
  ])("reads %j as retained", (value) => {
    expect(readLabelValue(value)).toBe("retained");
  });

  it.each(["A", "Tier 1", "Gold", "Churned and active", "maybe"])("cannot read %j", (value) => {
    expect(readLabelValue(value)).toBe("unknown");
  });
});

describe("decidePositive without --positive", () => {
  it.each([
    [["Attrited Customer", "Existing Customer"], "Attrited Customer"],
    [["Existing Customer", "Attrited Customer"], "Attrited Customer"],
    [["Churned", "Stayed"], "Churned"],
    [["Active", "Cancelled"], "Cancelled"],
    [["Canceled", "Current"], "Canceled"],
    [["Retained", "Left"], "Left"],
    [["Open", "Closed"], "Closed"],
    [["Exited", "Retained"], "Exited"],
    [["Inactive", "Active"], "Inactive"],
    [["Lost", "Kept"], "Lost"],
    [["Terminated", "Active"], "Terminated"],
    [["No", "Yes"], "Yes"],
    [["0", "1"], "1"],
    [["false", "true"], "true"],
  ])("picks the churned one of %j", ([a, b], positive) => {
    expect(decidePositive("Status", column(a!, 300, b!, 100))).toBe(positive);
  });

  it("picks the value that does not read as retained when the other one does", () => {
    expect(decidePositive("Status", column("Existing Customer", 300, "Moved to a rival", 100))).toBe(
      "Moved to a rival",
    );
    expect(decidePositive("Status", column("Active", 300, "Moved", 100))).toBe("Moved");
  });

  it("picks the value that reads as churned when the other one cannot be read", () => {
    expect(decidePositive("Status", column("Gold", 300, "Churned", 100))).toBe("Churned");
  });

  it("lists both values with their rows, and how to name either, when neither reads as churned or retained", () => {
    const error = failure(() => decidePositive("Segment", column("B", 567, "A", 1234)));
    expect(error.code).toBe("train.unknown_positive");
    expect(error.message).toBe(
      'Cannot tell which Segment value means churned: "A" (1,234 rows) or "B" (567 rows) (neither reads as churned or retained). ' +
        'Pass --positive "A" if "A" means churned (then "B" means retained), or --positive "B" if "B" means churned (through the API or the web page, the same value as positive).',
    );
  });

  it("says so when both values read as churned, suggesting neither", () => {
    const error = failure(() => decidePositive("Status", column("Churned", 300, "Cancelled", 100)));
    expect(error.code).toBe("train.unknown_positive");
    expect(error.message).toContain('"Churned" (300 rows) or "Cancelled" (100 rows) (both read as churned)');
  });

  it("says so when both values read as retained", () => {
    const error = failure(() => decidePositive("Status", column("Active", 300, "Current", 100)));
    expect(error.message).toContain("(both read as retained)");
  });

  it("still takes --positive as given, even a value that reads as retained", () => {
    expect(
      decidePositive("Status", column("Existing Customer", 300, "Attrited Customer", 100), "existing customer"),
    ).toBe("Existing Customer");
  });
});
