import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { withRandomForest } from "../../../../tests/support/term-fixtures.ts";
import { binCount, type ModelInputSpec, type Term, type TermModel } from "../model/term-model.ts";
import { scoreTermModel, sigmoid } from "../model/term-scoring.ts";
import { mulberry32 } from "./split.ts";
import { exportTermModel, float32AtMost } from "./term-export.ts";

/** A random term model of numeric and categorical inputs and a derived sum, with main, pair and path terms (a random forest); tables hold float32 values as shipped. */
function randomModel(seed: number): TermModel {
  const random = mulberry32(seed);
  const inputs: ModelInputSpec[] = Array.from({ length: 6 }, (_, i) => {
    if (i % 2 === 0) {
      const cuts = Array.from({ length: i }, () => Math.round(random() * 1000) / 10 - 20).sort((a, b) => a - b);
      return { role: "numeric", name: `n${i}`, label: `N${i}`, cuts: [...new Set(cuts)] };
    }
    return {
      role: i === 5 ? "boolean" : "categorical",
      name: `c${i}`,
      label: `C${i}`,
      categories: Array.from({ length: i === 5 ? 2 : 1 + i }, (_, k) => `level${k}`),
    };
  });
  const table = (size: number) => Array.from({ length: size }, () => Math.fround((random() - 0.5) * 3));
  const terms: Term[] = [
    ...inputs.map((input, i): Term => ({ kind: "main", inputs: [i], table: table(binCount(input)) })),
    { kind: "pair", inputs: [0, 1], table: table(binCount(inputs[0]!) * binCount(inputs[1]!)) },
    { kind: "pair", inputs: [3, 2], table: table(binCount(inputs[3]!) * binCount(inputs[2]!)) },
    { kind: "pair", inputs: [4, 5], table: table(binCount(inputs[4]!) * binCount(inputs[5]!)) },
  ];
  // A derived input adds up the three numerics (index 6); it gets a main term and a pair term.
  const derived = [
    { role: "numeric" as const, name: "n0+n2+n4", label: "Total n", sumOf: [0, 2, 4], cuts: [-20.5, 0, 35.25, 100] },
  ];
  const all = [...inputs, ...derived];
  terms.push(
    { kind: "main", inputs: [6], table: table(binCount(all[6]!)) },
    { kind: "pair", inputs: [1, 6], table: table(binCount(all[1]!) * binCount(all[6]!)) },
  );
  return withRandomForest({ intercept: -1.25, inputs, derived, terms }, random);
}

/** Codes as the scorer feeds them: numbers around and exactly on the cuts, every level, "other", blanks. */
function randomCodes(model: TermModel, rows: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const codes = new Float32Array(rows * model.inputs.length);
  for (let r = 0; r < rows; r++) {
    model.inputs.forEach((input, i) => {
      let code: number;
      if (random() < 0.08) code = Number.NaN;
      else if (input.role === "numeric")
        code =
          input.cuts.length > 0 && random() < 0.3
            ? input.cuts[Math.floor(random() * input.cuts.length)]!
            : random() * 140 - 30;
      else code = Math.floor(random() * (input.categories.length + 1));
      codes[r * model.inputs.length + i] = code;
    });
  }
  return codes;
}

async function runOnnx(model: TermModel, codes: Float32Array, rows: number) {
  const session = await ort.InferenceSession.create(exportTermModel(model, { name: "test", version: "v0" }));
  try {
    const out = await session.run({ features: new ort.Tensor("float32", codes, [rows, model.inputs.length]) });
    expect(out.contributions!.dims).toEqual([rows, model.terms.length]);
    expect(out.probabilities!.dims).toEqual([rows, 2]);
    return {
      contributions: out.contributions!.data as Float32Array,
      probabilities: out.probabilities!.data as Float32Array,
    };
  } finally {
    await session.release();
  }
}

describe("exportTermModel", () => {
  for (const seed of [1, 2, 3]) {
    it(`gives contributions that sum with the intercept to TypeScript's log-odds for every row (random model ${seed})`, async () => {
      const model = randomModel(seed);
      const rows = 2000;
      const codes = randomCodes(model, rows, seed + 100);
      const expected = scoreTermModel(model, codes, rows);
      const onnx = await runOnnx(model, codes, rows);
      const terms = model.terms.length;
      for (let r = 0; r < rows; r++) {
        let logit = model.intercept;
        for (let t = 0; t < terms; t++) {
          const [got, want] = [onnx.contributions[r * terms + t]!, expected.contributions[r * terms + t]!];
          // Tables hold float32 values, read as they are; a forest's credit is a float64 sum rounded once to float32.
          if (model.terms[t]!.kind === "path") expect(got).toBeCloseTo(want, 6);
          else expect(got).toBe(want);
          logit += got;
        }
        expect(Math.abs(logit - expected.logOdds[r]!)).toBeLessThan(1e-6);
        expect(Math.abs(onnx.probabilities[r * 2 + 1]! - sigmoid(expected.logOdds[r]!))).toBeLessThan(1e-6);
        expect(Math.abs(onnx.probabilities[r * 2]! + onnx.probabilities[r * 2 + 1]! - 1)).toBeLessThan(1e-6);
      }
    });
  }

  it("adds a derived input's inputs in float32 as TypeScript does, so a sum on a cut lands in the same bin", async () => {
    const inputs: ModelInputSpec[] = ["a", "b", "c"].map((name) => ({ role: "numeric", name, label: name, cuts: [] }));
    const model: TermModel = {
      intercept: 0,
      inputs,
      derived: [
        {
          role: "numeric",
          name: "a+b+c",
          label: "Total",
          sumOf: [0, 1, 2],
          cuts: [Math.fround(Math.fround(0.1 + Math.fround(0.2)) + Math.fround(0.3)), 1],
        },
      ],
      terms: [{ kind: "main", inputs: [3], table: [0, 1, 2, 3] }],
    };
    const codes = Float32Array.of(0.1, 0.2, 0.3, 0.1, 0.2, 0.31, 0.5, Number.NaN, 1, 2, 2, 2);
    expect(Array.from(scoreTermModel(model, codes, 4).contributions)).toEqual([1, 2, 0, 3]);
    expect(Array.from((await runOnnx(model, codes, 4)).contributions)).toEqual([1, 2, 0, 3]);
  });

  it("puts a float32 value on a float64 cut in the same bin as TypeScript does", async () => {
    const model: TermModel = {
      intercept: 0,
      inputs: [{ role: "numeric", name: "x", label: "X", cuts: [29.85, 56.95] }],
      terms: [{ kind: "main", inputs: [0], table: [0, 1, 2, 3] }],
    };
    const codes = Float32Array.of(29.85, 56.95, Math.fround(29.85) - 1e-5, 60, Number.NaN);
    expect(Array.from(scoreTermModel(model, codes, 5).contributions)).toEqual([2, 3, 1, 3, 0]);
    expect(Array.from((await runOnnx(model, codes, 5)).contributions)).toEqual([2, 3, 1, 3, 0]);
  });

  it("gives a path term its shift on rows whose path never splits its input", async () => {
    const inputs: ModelInputSpec[] = ["a", "b"].map((name) => ({ role: "numeric", name, label: name, cuts: [0] }));
    // Input b is split only on the right of the root: a row going left gets no credit for it, only minus its shift.
    const tree = {
      input: [0, -1, 1, -1, -1],
      at: [1, 0, 1, 0, 0],
      blankLeft: [0, 0, 0, 0, 0],
      left: [1, 0, 3, 0, 0],
      right: [2, 0, 4, 0, 0],
      value: [0, -0.5, 0.5, 0.25, 1],
    };
    const model: TermModel = {
      intercept: 0,
      inputs,
      forest: { orders: {}, trees: [tree] },
      terms: [
        { kind: "path", inputs: [0], shift: 0.125 },
        { kind: "path", inputs: [1], shift: 0.375 },
      ],
    };
    const codes = Float32Array.of(-1, -1, 1, -1, 1, 1);
    expect(Array.from(scoreTermModel(model, codes, 3).contributions)).toEqual([
      -0.625, -0.375, 0.375, -0.625, 0.375, 0.125,
    ]);
    expect(Array.from((await runOnnx(model, codes, 3)).contributions)).toEqual([
      -0.625, -0.375, 0.375, -0.625, 0.375, 0.125,
    ]);
  });

  it("writes the same bytes for the same model", () => {
    const a = exportTermModel(randomModel(5), { name: "m", version: "v1" });
    const b = exportTermModel(randomModel(5), { name: "m", version: "v1" });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe("float32AtMost", () => {
  it.each([29.85, -29.85, 0.1, -0.1, 1.5, 0, 1e-40, -1e-40, 123456.789])("is the largest float32 not above %d", (x) => {
    const f = float32AtMost(x);
    expect(Math.fround(f)).toBe(f);
    expect(f).toBeLessThanOrEqual(x);
    const next = new Float32Array([f]);
    new Int32Array(next.buffer)[0]! += f >= 0 && !Object.is(f, -0) ? 1 : -1;
    expect(next[0]! > x || Object.is(f, x)).toBe(true);
  });
});
