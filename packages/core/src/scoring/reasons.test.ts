import { describe, expect, it } from "vitest";
import type { Factor, ModelInput } from "../model/churn-model.ts";
import { explainRow } from "./reasons.ts";

const inputs: ModelInput[] = ["a", "b", "c", "d", "e", "f", "g", "h"].map((name) => ({ name, kind: "string", label: name.toUpperCase() }));
const inOrder = inputs.map((_, i) => i);
/** One factor per input, as a generic (skl2onnx) model has. */
const perInput: Factor[] = inputs.map((_, i) => ({ inputs: [i] }));

describe("explainRow", () => {
  it("lists the three largest contributions on each side, largest first, with signed values", () => {
    // Offset 8 reads the second row of a [2, 8] contributions matrix.
    const contributions = Float32Array.from([9, 9, 9, 9, 9, 9, 9, 9, 0.2, -0.5, 1.25, 0.01, -0.004, -2, 0.7, -0.3]);
    const values = ["va", "vb", "vc", "vd", "ve", "vf", "vg", "vh"];
    expect(explainRow(inputs, perInput, contributions, 8, values, inOrder)).toEqual({
      risk: ["C is vc (+1.25)", "G is vg (+0.70)", "A is va (+0.20)"],
      protective: ["F is vf (-2.00)", "B is vb (-0.50)", "H is vh (-0.30)"],
    });
  });

  it("leaves out contributions that would print as zero and says when a value is blank", () => {
    const contributions = Float32Array.from([0.004, -0.0049, 0.6, 0, 0, 0, 0, 0]);
    expect(explainRow(inputs, perInput, contributions, 0, ["x", "y", "  ", "", "", "", "", ""], inOrder)).toEqual({ risk: ["C is missing (+0.60)"], protective: [] });
  });

  it("keeps ties in input order", () => {
    const contributions = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]);
    expect(explainRow(inputs, perInput, contributions, 0, ["1", "2", "3", "4", "", "", "", ""], inOrder).risk).toEqual(["A is 1 (+0.50)", "B is 2 (+0.50)", "C is 3 (+0.50)"]);
  });

  it("reads each input's cell where the file has it, trimmed", () => {
    const contributions = Float32Array.from([0, 0, 0.9, 0, 0, 0, 0, -0.4]);
    const record = ["id-1", " Fiber optic ", "ignored", "12"];
    const columns = [0, 0, 1, 0, 0, 0, 0, 3];
    expect(explainRow(inputs, perInput, contributions, 0, record, columns)).toEqual({ risk: ["C is Fiber optic (+0.90)"], protective: ["H is 12 (-0.40)"] });
  });

  it("names both cells of a factor that reads two inputs", () => {
    const factors: Factor[] = [{ inputs: [0] }, { inputs: [2, 7] }, { inputs: [1, 3] }];
    const contributions = Float32Array.from([0.1, 0.91, -0.2]);
    expect(explainRow(inputs, factors, contributions, 0, ["58", "Yes", "No", ""], [0, 1, 2, 3, 0, 0, 0, 2])).toEqual({
      risk: ["C is No and H is No (+0.91)", "A is 58 (+0.10)"],
      protective: ["B is Yes and D is missing (-0.20)"],
    });
  });
});
