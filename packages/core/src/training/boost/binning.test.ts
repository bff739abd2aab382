import { describe, expect, it } from "vitest";
import { binOf } from "../../model/term-model.ts";
import type { TrainingTable } from "../table.ts";
import { binTable, quantileCuts } from "./binning.ts";

describe("quantileCuts", () => {
  it("gives every distinct value its own interval when there are few", () => {
    expect(quantileCuts(Float64Array.of(1, 1, 2, 3, 3, 3), 10)).toEqual([1.5, 2.5]);
  });

  it("cuts many values into about equal counts, never more intervals than asked", () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i);
    const cuts = quantileCuts(values, 4);
    expect(cuts).toEqual([249.5, 499.5, 749.5]);
  });

  it("lets a heavy value take its own interval without starving the others", () => {
    const values = Float64Array.from([...Array(600).fill(0), ...Array.from({ length: 400 }, (_, i) => i + 1)]);
    const cuts = quantileCuts(values, 5);
    expect(cuts[0]).toBe(0.5);
    expect(cuts.length).toBe(4);
  });
});

describe("binTable", () => {
  it("codes each row with binOf: blank in bin 0, folded levels in other", () => {
    const table: TrainingTable = {
      rows: 6,
      labels: Uint8Array.of(0, 1, 0, 1, 0, 1),
      inputs: [
        { role: "numeric", name: "n", label: "n", values: Float64Array.of(1, 2, NaN, 4, 5, 6) },
        {
          role: "categorical",
          name: "c",
          label: "c",
          categories: ["a", "b", "rare"],
          codes: Int32Array.of(0, 0, 1, 1, 2, -1),
        },
      ],
    };
    const binned = binTable(table, Int32Array.of(0, 1, 2, 3, 4, 5), { maxBins: 64, minCategoryRows: 2 });
    const [numeric, categorical] = binned.specs;
    expect(categorical).toMatchObject({ categories: ["a", "b"] });
    expect(Array.from(binned.codes[0]!)).toEqual([1, 2, 0, 3, 4, 5]);
    expect(Array.from(binned.codes[0]!)).toEqual([1, 2, NaN, 4, 5, 6].map((v) => binOf(numeric!, v)));
    expect(Array.from(binned.codes[1]!)).toEqual([1, 1, 2, 2, 3, 0]);
    expect(binned.bins).toEqual([6, 4]);
  });
});
