import { describe, expect, it } from "vitest";
import { ReasonWriter, type FactorCells } from "./reasons.ts";

const factors: FactorCells[] = ["a", "b", "c", "d", "e", "f", "g", "h"].map((name, i) => ({
  parts: [{ label: name.toUpperCase(), column: i }],
}));

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
    expect(explain(new ReasonWriter(factors), contributions, 0, ["x", "y", "  ", "", "", "", "", ""])).toMatchObject({
      risk: ["C not given (+0.60)"],
      protective: [],
      protectiveText: "",
    });
  });

  it("keeps ties in factor order", () => {
    const contributions = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]);
    expect(explain(new ReasonWriter(factors), contributions, 0, ["1", "2", "3", "4", "", "", "", ""]).risk).toEqual([
      "A is 1 (+0.50)",
      "B is 2 (+0.50)",
      "C is 3 (+0.50)",
    ]);
  });

  it("reads each factor's cell where the file has it, trimmed", () => {
    const record = ["id-1", " Fiber optic ", "ignored", "12"];
    const columns = [0, 0, 1, 0, 0, 0, 0, 3];
    const writer = new ReasonWriter(
      columns.map((column, i) => ({ parts: [{ label: factors[i]!.parts[0]!.label, column }] })),
    );
    expect(explain(writer, Float32Array.from([0, 0, 0.9, 0, 0, 0, 0, -0.4]), 0, record)).toMatchObject({
      risk: ["C is Fiber optic (+0.90)"],
      protective: ["H is 12 (-0.40)"],
    });
  });

  it("shares a factor that reads two inputs half to each, so no two reasons name one cell", () => {
    const cells = (...columns: number[]) => ({ parts: columns.map((column) => ({ label: "ABCD"[column]!, column })) });
    const writer = new ReasonWriter([cells(0), cells(2, 1), cells(1, 3)]);
    // B: 0.91 / 2 - 0.2 / 2 = 0.355; C: 0.455; D: -0.1.
    expect(explain(writer, Float32Array.from([0.1, 0.91, -0.2]), 0, ["58", "Yes", "No", ""])).toMatchObject({
      riskText: "C is No (+0.46); B is Yes (+0.36); A is 58 (+0.10)",
      protective: ["D not given (-0.10)"],
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

  it("prints numbers as the customer wrote them, without an export's float noise or a lone .0", () => {
    const writer = new ReasonWriter(
      ["Cashback amount", "Tenure", "Charges", "Rate"].map((label, column) => ({
        parts: [{ label, column, kind: "number" as const, inputs: [column] }],
      })),
    );
    writer.explain(Float32Array.of(0.4, 0.3, 0.2, 0.1), 0, ["120.86000000000001", "1.0", " 29,90 ", "0.1234567"]);
    expect(writer.lists().risk).toEqual([
      "Cashback amount is 120.86 (+0.40)",
      "Tenure is 1 (+0.30)",
      "Charges is 29,90 (+0.20)",
    ]);
    writer.explain(Float32Array.of(0, 0, 0, 0.1), 0, ["", "", "", "0.1234567"]);
    expect(writer.riskText()).toBe("Rate is 0.1234567 (+0.10)");
  });

  it("reads yes/no and 0/1 columns as words, without a leading Is or Has, and blanks as not given", () => {
    const labels = ["Is tv subscriber", "Has cr card", "Paperless billing", "Senior citizen"];
    const writer = new ReasonWriter(
      labels.map((label, column) => ({ parts: [{ label, column, kind: "boolean" as const, inputs: [column] }] })),
    );
    writer.explain(Float32Array.of(0.5, 0.4, -0.3, -0.2), 0, ["0", "1", "Yes", ""]);
    expect(writer.lists()).toEqual({
      risk: ["Tv subscriber: no (+0.50)", "Cr card: yes (+0.40)"],
      protective: ["Paperless billing: yes (-0.30)", "Senior citizen not given (-0.20)"],
    });
  });

  it("writes a sum at 6 significant digits in the file's decimal separator", () => {
    const read = (cell: string) => (cell.trim() === "" ? Number.NaN : Number(cell.replace(",", ".")));
    const writer = new ReasonWriter([
      {
        parts: [
          { label: "Total", column: 0, kind: "number", inputs: [0, 1], sumOf: { columns: [0, 1], read, decimal: "," } },
        ],
      },
    ]);
    writer.explain(Float32Array.of(0.5), 0, ["1000,123", "374,4249"]);
    expect(writer.riskText()).toBe("Total is 1374,55 (+0.50)");
    writer.explain(Float32Array.of(0.5), 0, ["1000,123", ""]);
    expect(writer.riskText()).toBe("Total not given (+0.50)");
  });

  it("makes one reason of a column and a sum containing it, worth the sum of both, and keeps the row's total exact", () => {
    const read = (cell: string) => Number(cell);
    const plain = (label: string, column: number) => ({ label, column, kind: "number" as const, inputs: [column] });
    const sum = {
      label: "Total ct (trans + chng)",
      column: 0,
      kind: "number" as const,
      inputs: [0, 1],
      sumOf: { columns: [0, 1], read },
    };
    // Factors: main trans, main chng, main sum, pair (sum, other), main other.
    const writer = new ReasonWriter([
      { parts: [plain("Total trans ct", 0)] },
      { parts: [plain("Chng", 1)] },
      { parts: [sum] },
      { parts: [sum, plain("Other", 2)] },
      { parts: [plain("Other", 2)] },
    ]);
    const contributions = Float32Array.of(2.38, -0.25, 0.5, 0.2, -0.4);
    writer.explain(contributions, 0, ["20", "2.333", "x"]);
    expect(writer.lists()).toEqual({
      risk: ["Total trans ct is 20 and Chng is 2.333 and Total ct (trans + chng) is 22.333 (+2.73)"],
      protective: ["Other is x (-0.30)"],
    });
    const total = writer.reasonContributions().reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(
      contributions.reduce((a, b) => a + b, 0),
      12,
    );
  });
});
