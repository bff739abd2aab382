import { describe, expect, it } from "vitest";
import { ReasonWriter, type FactorCells } from "./reasons.ts";

const factors: FactorCells[] = ["a", "b", "c", "d", "e", "f", "g", "h"].map((name, i) => ({ parts: [{ label: name.toUpperCase(), column: i }] }));

function explain(writer: ReasonWriter, contributions: Float32Array, offset: number, record: string[]) {
  writer.explain(contributions, offset, record);
  return { ...writer.lists(), riskText: writer.riskText(), protectiveText: writer.protectiveText() };
}

describe("ReasonWriter", () => {
  it("lists the three largest contributions on each side, largest first, with signed values", () => {
    // Offset 8 reads the second row of a [2, 8] contributions matrix.
    const contributions = Float32Array.from([9, 9, 9, 9, 9, 9, 9, 9, 0.2, -0.5, 1.25, 0.01, -0.004, -2, 0.7, -0.3]);
    const values = ["va", "vb", "vc", "vd", "ve", "vf", "vg", "vh"];
    expect(explain(new ReasonWriter(factors), contributions, 8, values)).toEqual({
      risk: ["C is vc (+1.25)", "G is vg (+0.70)", "A is va (+0.20)"],
      protective: ["F is vf (-2.00)", "B is vb (-0.50)", "H is vh (-0.30)"],
      riskText: "C is vc (+1.25); G is vg (+0.70); A is va (+0.20)",
      protectiveText: "F is vf (-2.00); B is vb (-0.50); H is vh (-0.30)",
    });
  });

  it("leaves out contributions that would print as zero and says when a value is blank", () => {
    const contributions = Float32Array.from([0.004, -0.0049, 0.6, 0, 0, 0, 0, 0]);
    expect(explain(new ReasonWriter(factors), contributions, 0, ["x", "y", "  ", "", "", "", "", ""])).toMatchObject({ risk: ["C is missing (+0.60)"], protective: [], protectiveText: "" });
  });

  it("keeps ties in factor order", () => {
    const contributions = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]);
    expect(explain(new ReasonWriter(factors), contributions, 0, ["1", "2", "3", "4", "", "", "", ""]).risk).toEqual(["A is 1 (+0.50)", "B is 2 (+0.50)", "C is 3 (+0.50)"]);
  });

  it("reads each factor's cell where the file has it, trimmed", () => {
    const record = ["id-1", " Fiber optic ", "ignored", "12"];
    const columns = [0, 0, 1, 0, 0, 0, 0, 3];
    const writer = new ReasonWriter(columns.map((column, i) => ({ parts: [{ label: factors[i]!.parts[0]!.label, column }] })));
    expect(explain(writer, Float32Array.from([0, 0, 0.9, 0, 0, 0, 0, -0.4]), 0, record)).toMatchObject({ risk: ["C is Fiber optic (+0.90)"], protective: ["H is 12 (-0.40)"] });
  });

  it("names both cells of a factor that reads two inputs", () => {
    const cells = (...columns: number[]) => ({ parts: columns.map((column) => ({ label: "ABCD"[column]!, column })) });
    const writer = new ReasonWriter([cells(0), cells(2, 1), cells(1, 3)]);
    expect(explain(writer, Float32Array.from([0.1, 0.91, -0.2]), 0, ["58", "Yes", "No", ""])).toMatchObject({
      riskText: "C is No and B is Yes (+0.91); A is 58 (+0.10)",
      protective: ["B is Yes and D is missing (-0.20)"],
    });
  });

  it("gives the same cell text a fresh sentence when its contribution differs, after caching the first", () => {
    const writer = new ReasonWriter(factors.slice(0, 1));
    expect(explain(writer, Float32Array.of(0.3), 0, ["Yes"]).riskText).toBe("A is Yes (+0.30)");
    expect(explain(writer, Float32Array.of(0.3), 0, ["Yes"]).riskText).toBe("A is Yes (+0.30)");
    expect(explain(writer, Float32Array.of(-0.7), 0, ["Yes"]).protectiveText).toBe("A is Yes (-0.70)");
    expect(explain(writer, Float32Array.of(0.3), 0, ["Yes"]).riskText).toBe("A is Yes (+0.30)");
  });

  it("gives each side as a CSV field, quoted only when a sentence holds a comma, quote or newline", () => {
    const writer = new ReasonWriter(factors.slice(0, 3));
    writer.explain(Float32Array.of(0.5, 0.4, -0.3), 0, ['Say "hi"', "plain", "a, b"]);
    expect(writer.riskField()).toBe('"A is Say ""hi"" (+0.50); B is plain (+0.40)"');
    expect(writer.protectiveField()).toBe('"C is a, b (-0.30)"');
    writer.explain(Float32Array.of(0.5, 0.4, 0), 0, ["x", "plain", ""]);
    expect(writer.riskField()).toBe("A is x (+0.50); B is plain (+0.40)");
  });
});
