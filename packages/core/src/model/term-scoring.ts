import { binOf, derivedCode, termInputs, type TermModel } from "./term-model.ts";
import { rowCredits, termContribution } from "./terms/index.ts";

/**
 * A term model computed in TypeScript, float64 throughout: the reference the ONNX export is
 * tested against. `codes` is row-major [rows, inputs] as fed to ONNX (docs/MODEL-FORMAT.md).
 *
 * @example const { contributions, logOdds } = scoreTermModel(model, Float32Array.of(3, 0), 1);
 */
export function scoreTermModel(
  model: TermModel,
  codes: ArrayLike<number>,
  rows: number,
): { contributions: Float64Array; logOdds: Float64Array } {
  const width = model.inputs.length;
  const terms = model.terms.length;
  const contributions = new Float64Array(rows * terms);
  const logOdds = new Float64Array(rows);
  const derived = model.derived ?? [];
  const all = termInputs(model);
  const bins = new Int32Array(all.length);
  const credits = new Float64Array(all.length);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < width; i++) bins[i] = binOf(model.inputs[i]!, codes[r * width + i]!);
    derived.forEach((spec, d) => {
      bins[width + d] = binOf(spec, derivedCode(spec, codes, r * width));
    });
    rowCredits(model.forest, bins, credits);
    logOdds[r] = model.intercept;
    for (let t = 0; t < terms; t++) {
      const c = termContribution(model.terms[t]!, bins, all, credits);
      contributions[r * terms + t] = c;
      logOdds[r]! += c;
    }
  }
  return { contributions, logOdds };
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
