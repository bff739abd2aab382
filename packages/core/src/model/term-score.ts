import type { Term, TermModel } from "./term-model.ts";
import { assertNever, binCount, binOf } from "./term-model.ts";

export interface TermRowScore {
  /** One log-odds contribution per term, in `model.terms` order. */
  contributions: number[];
  /** `intercept + Σ contributions`, summed in term order (the order the scorer uses). */
  logit: number;
  probability: number;
}

/**
 * The reference scoring of one row of a `term-tables/1` model in float64: what the ONNX graph and
 * the scorer must agree with. `codes[i]` is input i's code as fed to ONNX (docs/MODEL-FORMAT.md:
 * the number for numerics, the level index for categoricals, NaN for blank).
 *
 * @example scoreTermRow(model, [12, 0, NaN]).probability
 */
export function scoreTermRow(model: TermModel, codes: ArrayLike<number>): TermRowScore {
  const bins = model.inputs.map((input, i) => binOf(input, codes[i]!));
  const contributions = model.terms.map((term) => termContribution(model, term, bins));
  let logit = model.intercept;
  for (const c of contributions) logit += c;
  return { contributions, logit, probability: 1 / (1 + Math.exp(-logit)) };
}

function termContribution(model: TermModel, term: Term, bins: number[]): number {
  switch (term.kind) {
    case "main":
      return term.table[bins[term.inputs[0]]!]!;
    case "pair": {
      const [i, j] = term.inputs;
      return term.table[bins[i]! * binCount(model.inputs[j]!) + bins[j]!]!;
    }
    default:
      return assertNever(term);
  }
}
