import { describe, expect, it } from "vitest";
import { readLabeledCsv } from "./dataset.ts";

const CSV = `customerID,plan,tenure,Churn
a-1,basic,3,Yes
a-2,pro, ,No
a-3,basic,12,No
a-4,pro,40,No
`;

describe("readLabeledCsv", () => {
  it("types columns, leaves the id and label out of the inputs, and reads blank numerics as NaN", () => {
    const data = readLabeledCsv(CSV, { label: "Churn" });
    expect(data.columns).toEqual([
      { name: "plan", type: "string", categories: ["basic", "pro"] },
      { name: "tenure", type: "float" },
    ]);
    expect(Array.from(data.values[1] as Float64Array)).toEqual([3, Number.NaN, 12, 40]);
    expect(data.ids).toEqual(["a-1", "a-2", "a-3", "a-4"]);
    expect(Array.from(data.labels)).toEqual([1, 0, 0, 0]);
    expect(data.label).toEqual({ column: "Churn", positive: "Yes" });
    expect(data.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("tells the user how to fix a missing label column", () => {
    expect(() => readLabeledCsv(CSV, { label: "Exited" })).toThrow(/--label/);
  });

  it("refuses unlabeled rows and labels with other than two classes", () => {
    expect(() => readLabeledCsv("x,Churn\n1,Yes\n2,\n", { label: "Churn" })).toThrow(/Row 3/);
    expect(() => readLabeledCsv("x,Churn\n1,Yes\n2,No\n3,Maybe\n", { label: "Churn" })).toThrow(/exactly two/);
  });

  it("asks for --positive when no label value obviously means churn", () => {
    expect(() => readLabeledCsv("x,Status\n1,gone\n2,stayed\n", { label: "Status" })).toThrow(/--positive/);
  });
});
