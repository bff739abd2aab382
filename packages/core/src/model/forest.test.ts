import { describe, expect, it } from "vitest";
import { withRandomForest } from "../../../../tests/support/term-fixtures.ts";
import { mulberry32 } from "../training/split.ts";
import { binCount, type ModelInputSpec } from "./term-model.ts";
import { creditForest, orderedCode, type ForestTree } from "./forest.ts";

const inputs: ModelInputSpec[] = [
  { role: "numeric", name: "tenure", label: "Tenure", cuts: [2, 12, 24, 48] },
  { role: "categorical", name: "Contract", label: "Contract", categories: ["Month-to-month", "One year", "Two year"] },
  { role: "numeric", name: "charges", label: "Charges", cuts: [30, 70] },
];

/** The leaf a row reaches, walked without credits. */
function leafValue(tree: ForestTree, code: (f: number) => number): number {
  let node = 0;
  while (tree.input[node]! >= 0) {
    const c = code(tree.input[node]!);
    node = (c === 0 ? tree.blankLeft[node] === 1 : c <= tree.at[node]!) ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

describe("creditForest", () => {
  it("splits every row's trees exactly: the credits plus the roots are the sum of the leaves reached", () => {
    const random = mulberry32(21);
    const { forest } = withRandomForest({ intercept: 0, inputs, terms: [] }, random, 60);
    for (let row = 0; row < 500; row++) {
      const bins = inputs.map((input) => Math.floor(random() * binCount(input)));
      const credits = new Float64Array(inputs.length);
      const roots = creditForest(forest!, bins, credits);
      const leaves = forest!.trees.reduce(
        (sum, tree) => sum + leafValue(tree, (f) => orderedCode(forest!, f, bins[f]!)),
        0,
      );
      expect(roots + credits.reduce((a, b) => a + b, 0)).toBeCloseTo(leaves, 12);
    }
  });

  it("credits a step to the input split on, sends a blank the side it learned, and reads levels in the forest's order", () => {
    // Contract in the order Two year (bin 3), Month-to-month (1), One year (2); "other" last, blank apart.
    const tree: ForestTree = {
      input: [1, 0, -1, -1, -1],
      at: [1, 1, 0, 0, 0],
      blankLeft: [0, 1, 0, 0, 0],
      left: [1, 3, 0, 0, 0],
      right: [2, 4, 0, 0, 0],
      value: [0.1, -0.2, 0.4, -0.5, 0.3],
    };
    const forest = { orders: { "1": [0, 2, 3, 1, 4] }, trees: [tree] };
    const credit = (bins: number[]) => {
      const credits = new Float64Array(3);
      const roots = creditForest(forest, bins, credits);
      return { roots, credits: Array.from(credits, (c) => Number(c.toFixed(12))) };
    };
    // Two year, blank tenure (left): Contract 0.1 -> -0.2, tenure -0.2 -> -0.5.
    expect(credit([0, 3, 1])).toEqual({ roots: 0.1, credits: [-0.3, -0.3, 0] });
    // Two year, tenure in bin 2 (right of at = 1).
    expect(credit([2, 3, 1])).toEqual({ roots: 0.1, credits: [0.5, -0.3, 0] });
    // Month-to-month is second in the order: right, a leaf.
    expect(credit([2, 1, 1])).toEqual({ roots: 0.1, credits: [0, 0.3, 0] });
    // A blank Contract goes right (blankLeft 0 at the root).
    expect(credit([1, 0, 2])).toEqual({ roots: 0.1, credits: [0, 0.3, 0] });
  });
});
