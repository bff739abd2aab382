import { RetainwiseError } from "../errors.ts";
import { isTermTablesCard, type ModelCard, type TermTablesCard } from "../model/card.ts";
import { binOf, termInputs, type DerivedInputSpec, type ModelInputSpec, type Term } from "../model/term-model.ts";
import { rowCredits, termContribution } from "../model/terms/index.ts";
import type { Forest } from "../model/forest.ts";
import { forestInputs } from "../model/forest.ts";
import { booleanLabel, cellValue, computedNumber, NOT_GIVEN, yesNo } from "./cell-words.ts";
import { specKind } from "./reason-subjects.ts";

/**
 * What would lower the risk (`retention_action`): per row, the single change to one column the
 * account marks actionable that lowers the log-odds most, with the probability before and after:
 *
 *   Contract One year instead of Month-to-month: 0.74 -> 0.41
 *
 * Exact, from the model's own terms: for an actionable input, every other bin it can take (each
 * category; for a number each interval between the card's cuts, at a value inside it) is tried with
 * the row's other inputs fixed, recomputing every term that reads the input (its main term, its
 * pairs, and the derived sums that include it, which are recomputed from the value). The new
 * log-odds is the intercept plus every term's contribution summed in term order, as
 * `scoreTermModel` computes it. Blank when no change lowers the log-odds or nothing is actionable.
 *
 * @example
 *   const advisor = new RetentionAdvisor(card, actionableInputs(card, ["Contract"]));
 *   advisor.advise(codes, 0, contributions, 0, (i) => record[columns[i]]); // "Contract Two year instead of Month-to-month: 0.74 -> 0.31"
 */
export class RetentionAdvisor {
  private readonly inputs: readonly ModelInputSpec[];
  private readonly derived: readonly DerivedInputSpec[];
  private readonly all: readonly ModelInputSpec[];
  private readonly terms: readonly Term[];
  private readonly intercept: number;
  private readonly plans: ActionPlan[];
  private readonly bins: Int32Array;
  private readonly forest: Forest | undefined;
  private readonly credits: Float64Array;

  constructor(card: TermTablesCard, actionable: readonly number[], decimal: "." | "," = ".") {
    this.inputs = card.inputs as ModelInputSpec[];
    this.derived = (card.derived ?? []) as DerivedInputSpec[];
    this.all = termInputs({ inputs: this.inputs as ModelInputSpec[], derived: this.derived as DerivedInputSpec[] });
    this.terms = card.terms as Term[];
    this.intercept = card.intercept;
    this.bins = new Int32Array(this.all.length);
    this.forest = card.forest as Forest | undefined;
    this.credits = new Float64Array(this.all.length);
    this.plans = actionable.map((input) => this.plan(input, decimal));
  }

  /**
   * The row's action, or "" when none lowers its log-odds. `codes[codeOffset + i]` is input i's
   * code (as fed to ONNX), `contributions[offset + t]` term t's, `cell(i)` input i's cell as read.
   */
  advise(
    codes: ArrayLike<number>,
    codeOffset: number,
    contributions: ArrayLike<number>,
    offset: number,
    cell: (input: number) => string,
  ): string {
    const best = this.best(codes, codeOffset, contributions, offset);
    if (!best) return "";
    const { plan, option } = best;
    const before = this.logOdds(contributions, offset, undefined);
    this.setBins(codes, codeOffset);
    this.apply(plan, option, codes, codeOffset);
    const after = this.logOdds(contributions, offset, plan.terms);
    const current = cell(plan.input).trim();
    const shown = current === "" ? NOT_GIVEN : cellValue(plan.kind, current);
    const [p0, p1] = probabilities(sigmoid(before), sigmoid(after));
    return `${plan.label} ${option.text} instead of ${shown}: ${p0} -> ${p1}`;
  }

  /** The change lowering the log-odds most (the first of equals, in actionable then bin order), if any lowers it. */
  private best(
    codes: ArrayLike<number>,
    codeOffset: number,
    contributions: ArrayLike<number>,
    offset: number,
  ): { plan: ActionPlan; option: ActionOption } | undefined {
    let best: { plan: ActionPlan; option: ActionOption } | undefined;
    let lowest = 0;
    for (const plan of this.plans) {
      this.setBins(codes, codeOffset);
      const current = this.bins[plan.input]!;
      for (const option of plan.options) {
        if (option.bin === current) continue;
        this.apply(plan, option, codes, codeOffset);
        let change = 0;
        for (const t of plan.terms)
          change += termContribution(this.terms[t]!, this.bins, this.all, this.credits) - contributions[offset + t]!;
        if (change < lowest) {
          lowest = change;
          best = { plan, option };
        }
      }
    }
    return best;
  }

  /** intercept + Σ contributions in term order; the terms in `changed` recomputed from `bins`. */
  private logOdds(contributions: ArrayLike<number>, offset: number, changed: ReadonlySet<number> | undefined): number {
    let logit = this.intercept;
    for (let t = 0; t < this.terms.length; t++)
      logit += changed?.has(t)
        ? termContribution(this.terms[t]!, this.bins, this.all, this.credits)
        : contributions[offset + t]!;
    return logit;
  }

  private setBins(codes: ArrayLike<number>, at: number): void {
    const width = this.inputs.length;
    for (let i = 0; i < width; i++) this.bins[i] = binOf(this.inputs[i]!, codes[at + i]!);
    this.derived.forEach((spec, d) => {
      this.bins[width + d] = binOf(spec, sumCode(spec, codes, at, -1, 0));
    });
  }

  /** Input `plan.input` takes `option`: its bin, the bins of the sums that include it, and the forest's credits. */
  private apply(plan: ActionPlan, option: ActionOption, codes: ArrayLike<number>, at: number): void {
    this.bins[plan.input] = option.bin;
    const width = this.inputs.length;
    for (const d of plan.derived)
      this.bins[width + d] = binOf(this.derived[d]!, sumCode(this.derived[d]!, codes, at, plan.input, option.code));
    if (plan.forest) rowCredits(this.forest, this.bins, this.credits);
  }

  private plan(input: number, decimal: "." | ","): ActionPlan {
    const spec = this.inputs[input]!;
    const width = this.inputs.length;
    const derived = this.derived.flatMap((d, k) => (d.sumOf.includes(input) ? [k] : []));
    const reads = new Set([input, ...derived.map((d) => width + d)]);
    // Every credit of the forest may move when an input it splits changes.
    const forest = this.forest !== undefined && forestInputs(this.forest).includes(input);
    const terms = new Set(
      this.terms.flatMap((term, t) =>
        (term.kind === "path" ? forest : term.inputs.some((i) => reads.has(i))) ? [t] : [],
      ),
    );
    const kind = specKind(spec);
    return {
      input,
      kind,
      label: kind === "boolean" ? booleanLabel(spec.label) : spec.label,
      derived,
      terms,
      forest,
      options: optionsOf(spec, derived.length > 0, decimal),
    };
  }
}

interface ActionPlan {
  input: number;
  kind: ReturnType<typeof specKind>;
  label: string;
  /** Derived inputs that add this one up. */
  derived: number[];
  /** Terms that read the input, directly or through a derived sum or the forest. */
  terms: ReadonlySet<number>;
  /** Whether the forest splits the input (its credits are recomputed for each option). */
  forest: boolean;
  options: ActionOption[];
}

/** A value the input could take: its code (as fed to ONNX), its bin, and how the action names it. */
interface ActionOption {
  code: number;
  bin: number;
  text: string;
}

/**
 * The values an input can be changed to: every category (not "other", not blank); for a number one
 * value inside each interval of its cuts, named by the interval (`above 24.5`), or by the value
 * itself when a derived sum reads it (the sum, and so the log-odds, then depends on the value).
 */
function optionsOf(spec: ModelInputSpec, summed: boolean, decimal: "." | ","): ActionOption[] {
  if (spec.role !== "numeric")
    return spec.categories.map((category, c) => ({
      code: c,
      bin: 1 + c,
      text: spec.role === "boolean" ? (yesNo(category) ?? category) : category,
    }));
  const { cuts } = spec;
  const n = cuts.length;
  if (n === 0) return [];
  if (specKind(spec) === "boolean" && n === 1)
    return [
      { code: 0, bin: 1, text: "no" },
      { code: 1, bin: 2, text: "yes" },
    ];
  const show = (x: number) => computedNumber(x, decimal);
  const options: ActionOption[] = [];
  for (let bin = 1; bin <= n + 1; bin++) {
    const value =
      bin === 1
        ? cuts[0]! - (n >= 2 ? (cuts[1]! - cuts[0]!) / 2 : 1)
        : bin === n + 1
          ? cuts[n - 1]! + (n >= 2 ? (cuts[n - 1]! - cuts[n - 2]!) / 2 : 1)
          : (cuts[bin - 2]! + cuts[bin - 1]!) / 2;
    const code = Math.fround(value);
    // A value rounded to float32 onto a cut's other side would be tried in the wrong bin.
    if (binOf(spec, code) !== bin) continue;
    const text = summed
      ? show(code)
      : bin === 1
        ? `at most ${show(cuts[0]!)}`
        : bin === n + 1
          ? `above ${show(cuts[n - 1]!)}`
          : `between ${show(cuts[bin - 2]!)} and ${show(cuts[bin - 1]!)}`;
    options.push({ code, bin, text });
  }
  return options;
}

/** A derived input's code (float32 sum in `sumOf` order, as `derivedCode`), with input `replaced` taking `code`. */
function sumCode(spec: DerivedInputSpec, codes: ArrayLike<number>, at: number, replaced: number, code: number): number {
  let sum = 0;
  for (const i of spec.sumOf) sum = Math.fround(sum + Math.fround(i === replaced ? code : codes[at + i]!));
  return sum;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Both probabilities to 2 decimals, or 4 when 2 would print them equal. */
function probabilities(before: number, after: number): [string, string] {
  const [a, b] = [before.toFixed(2), after.toFixed(2)];
  return a === b ? [before.toFixed(4), after.toFixed(4)] : [a, b];
}

/**
 * Card input indexes of the actionable columns, named as the card names its inputs (exactly, else
 * ignoring case); an unknown name is a `request.invalid_actionable` error naming the model's inputs.
 *
 * @example actionableInputs(card, ["Contract", "PaymentMethod"]) // [14, 16]
 */
export function actionableInputs(card: ModelCard | undefined, names: readonly string[]): number[] {
  if (names.length === 0) return [];
  if (!isTermTablesCard(card))
    throw new RetainwiseError(
      "model.unsupported",
      "Actionable columns need a model trained by RetainWise (a term-tables/1 card): this model cannot say what would lower the risk. Leave --actionable out.",
    );
  const inputs = card.inputs.map((i) => i.name);
  return [
    ...new Set(
      names.map((name) => {
        const found = inputs.indexOf(name);
        const folded = found >= 0 ? found : inputs.findIndex((i) => i.toLowerCase() === name.trim().toLowerCase());
        if (folded < 0) throw unknownActionable(name, inputs);
        return folded;
      }),
    ),
  ];
}

export function unknownActionable(name: string, inputs: readonly string[]): RetainwiseError {
  return new RetainwiseError(
    "request.invalid_actionable",
    `"${name}" is not an input of the model, so it cannot be actionable. The model's inputs: ${inputs.join(", ")}.`,
  );
}
