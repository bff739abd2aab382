import { describe, expect, it } from "vitest";
import type { TrainingTable } from "../table.ts";
import { sumCandidates, withSums } from "./derived.ts";

const numeric = (name: string, label: string, values: number[]) => ({
  role: "numeric" as const,
  name,
  label,
  values: Float64Array.from(values),
});

describe("sumCandidates", () => {
  it("proposes the sum of numeric columns whose names share a word, labelled by what differs", () => {
    const table: TrainingTable = {
      rows: 2,
      labels: Uint8Array.of(0, 1),
      inputs: [
        numeric("total_day_charge", "Total day charge", [1, 2]),
        {
          role: "categorical",
          name: "plan_charge",
          label: "Plan charge",
          categories: ["a"],
          codes: Int32Array.of(0, 0),
        },
        numeric("total_eve_charge", "Total eve charge", [3, 4]),
        numeric("YearsAtCompany", "Years at company", [5, 6]),
        numeric("TotalWorkingYears", "Total working years", [7, 8]),
        numeric("age", "Age", [30, 40]),
      ],
    };
    const candidates = sumCandidates(table);
    expect(candidates).toContainEqual({
      name: "total_day_charge+total_eve_charge",
      label: "Total charge (day + eve)",
      sumOf: [0, 2],
    });
    expect(candidates).toContainEqual({
      name: "YearsAtCompany+TotalWorkingYears",
      label: "Total years (at company + Total working)",
      sumOf: [3, 4],
    });
    expect(candidates.every((c) => !c.sumOf.includes(1) && !c.sumOf.includes(5))).toBe(true);
  });

  it("appends each sum as the float32 sum of float32 values, blank when a part is blank", () => {
    const table: TrainingTable = {
      rows: 2,
      labels: Uint8Array.of(0, 1),
      inputs: [numeric("a_fee", "A", [0.1, Number.NaN]), numeric("b_fee", "B", [0.2, 1])],
    };
    const [sum] = withSums(table, sumCandidates(table)).inputs.slice(2);
    expect(sum).toMatchObject({ role: "numeric", name: "a_fee+b_fee" });
    const values = (sum as { values: Float64Array }).values;
    expect(values[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(values[1]).toBeNaN();
  });
});
