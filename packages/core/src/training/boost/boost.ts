import type { BinCodes } from "./binning.ts";
import type { Layout } from "./histogram.ts";
import { countRows, fillHistogram, newHistogram } from "./histogram.ts";
import type { GrownTree, Partners, TreeRule } from "./tree.ts";
import { growTree } from "./tree.ts";

export interface BoostRule extends TreeRule {
  /** Upper bound on trees per stage. */
  maxRounds: number;
  /** A stage stops after this many trees without a better validation log loss; its best tree count is kept. */
  patience: number;
  /** Distinct pairs of inputs the second stage's trees may read, at most. */
  maxPairs: number;
}

/** Share of the validation loss a tree must take off to count as an improvement. */
const MIN_GAIN = 1e-5;

/** One bag's rows, by position: the rows its trees are grown on and the rows that stop them. */
export interface BoostRows {
  layout: Layout;
  ordered: Uint8Array;
  fit: { codes: BinCodes[]; labels: Uint8Array; logits: Float64Array };
  valid: { codes: BinCodes[]; labels: Uint8Array; logits: Float64Array };
}

/** Summed tables of the trees kept, one per set of inputs read ("3" a main term, "3,7" a pair). */
export type Terms = Map<string, { inputs: [number] | [number, number]; table: Float64Array }>;

/** What the trees may read: never the `disabled` inputs; with `pairs`, only those pairs ("a,b"), else any within `maxPairs`. */
export interface Choice {
  disabled: readonly number[];
  pairs: readonly string[] | null;
}

export const FREE_CHOICE: Choice = { disabled: [], pairs: null };

export interface BoostResult {
  terms: Terms;
  /** Trees kept in each stage. */
  rounds: { mains: number; pairs: number };
}

/**
 * Gradient boosting of the log loss with trees that each read one input (first stage) and then at
 * most two (second stage, at most `maxPairs` distinct pairs), the way EBM fits main effects before
 * interactions; unlike EBM, each tree is grown greedily on whichever input (or pair) gains most, as
 * a gradient-boosting machine does. Every tree is a table over its inputs' bins, so their sum is an
 * additive model of main and pair terms whose contributions are exact. Each stage stops early on
 * the validation rows' log loss and is rewound to its best tree count. `rows` logits are left there.
 * `terms` may hold a start (main tables already in the rows' logits) that the trees add to.
 */
export function boostStages(rows: BoostRows, rule: BoostRule, choice: Choice, terms: Terms = new Map()): BoostResult {
  const inputs = Array.from({ length: rows.layout.bins.length }, (_, f) => f).filter((f) => !choice.disabled.includes(f));
  const mains = boostStage(rows, rule, terms, inputs, () => []);
  const partners = choice.pairs ? listedPartners(choice.pairs) : pairPartners(terms, inputs, rule.maxPairs);
  const pairs = rule.maxPairs > 0 && inputs.length > 1 && choice.pairs?.length !== 0 ? boostStage(rows, rule, terms, inputs, partners) : 0;
  return { terms, rounds: { mains, pairs } };
}

function listedPartners(pairs: readonly string[]): Partners {
  const listed = pairs.map((key) => key.split(",").map(Number) as [number, number]);
  return (first) => listed.flatMap(([a, b]) => (a === first ? [b] : b === first ? [a] : []));
}

/** Inputs `first` may pair with: those it already pairs with, and any other while the budget of pairs lasts. */
function pairPartners(terms: Terms, inputs: number[], maxPairs: number): Partners {
  return (first) => {
    const pairs = [...terms.values()].filter((t) => t.inputs.length === 2);
    if (pairs.length < maxPairs) return inputs.filter((f) => f !== first);
    return pairs.filter((t) => t.inputs.includes(first)).map((t) => (t.inputs[0] === first ? t.inputs[1]! : t.inputs[0]));
  };
}

/** Grows trees until `patience` pass without a better validation loss; rewinds to the best count, returned. */
function boostStage(rows: BoostRows, rule: BoostRule, terms: Terms, inputs: number[], partners: Partners): number {
  const { fit, valid, layout } = rows;
  const grad = new Float64Array(fit.labels.length);
  const hess = new Float64Array(fit.labels.length);
  const hist = newHistogram(layout);
  const rootCounts = countRows(layout, fit.codes);
  const treeRows = { layout, codes: fit.codes, ordered: rows.ordered, grad, hess };
  const snapshot = (trees: number, loss: number) => ({ trees, loss, keys: new Set(terms.keys()), fitLogits: fit.logits.slice(), validLogits: valid.logits.slice() });
  let best = snapshot(0, logLoss(valid.logits, valid.labels));
  const since: GrownTree[] = [];
  for (let tree = 1; tree <= rule.maxRounds && tree - best.trees <= rule.patience; tree++) {
    gradients(fit.logits, fit.labels, grad, hess);
    hist.fill(0);
    fillHistogram(hist, layout, fit.codes, inputs, null, grad, hess, rootCounts);
    const grown = growTree(treeRows, hist, inputs, partners, rule, fit.logits);
    if (!grown) break;
    addTree(terms, grown, 1);
    since.push(grown);
    addTerm(valid.logits, valid.codes, grown, layout.bins);
    const loss = logLoss(valid.logits, valid.labels);
    // Gains below a hundred-thousandth of the loss are not worth trees: on a small validation set the loss
    // can creep down by such steps for thousands of trees (ionosphere: 2,000 trees, no AUC gained).
    if (loss < best.loss * (1 - MIN_GAIN)) {
      best = snapshot(tree, loss);
      since.length = 0;
    }
  }
  for (const grown of since) addTree(terms, grown, -1);
  // A term whose every tree came after the best count is gone, not an all-zero table.
  for (const key of terms.keys()) if (!best.keys.has(key)) terms.delete(key);
  fit.logits.set(best.fitLogits);
  valid.logits.set(best.validLogits);
  return best.trees;
}

export function keyOf(tree: Pick<GrownTree, "inputs">): string {
  return tree.inputs.join(",");
}

function addTree(terms: Terms, tree: GrownTree, sign: 1 | -1): void {
  const key = keyOf(tree);
  let term = terms.get(key);
  if (!term) terms.set(key, (term = { inputs: tree.inputs, table: new Float64Array(tree.table.length) }));
  for (let c = 0; c < tree.table.length; c++) term.table[c]! += sign * tree.table[c]!;
}

/** Adds `sign` times a term's table (one input, or a pair row-major) to the logits of the rows `codes` hold. */
export function addTerm(logits: Float64Array, codes: readonly BinCodes[], term: { inputs: readonly number[]; table: Float64Array }, bins: ArrayLike<number>, sign: 1 | -1 = 1): void {
  const first = codes[term.inputs[0]!]!;
  if (term.inputs.length === 1) {
    for (let k = 0; k < logits.length; k++) logits[k]! += sign * term.table[first[k]!]!;
    return;
  }
  const second = codes[term.inputs[1]!]!;
  const cols = bins[term.inputs[1]!]!;
  for (let k = 0; k < logits.length; k++) logits[k]! += sign * term.table[first[k]! * cols + second[k]!]!;
}

function gradients(logits: Float64Array, labels: Uint8Array, grad: Float64Array, hess: Float64Array): void {
  for (let k = 0; k < logits.length; k++) {
    const p = 1 / (1 + Math.exp(-logits[k]!));
    grad[k] = p - labels[k]!;
    hess[k] = Math.max(p * (1 - p), 1e-16);
  }
}

/** Mean log loss of logits. */
export function logLoss(logits: Float64Array, labels: Uint8Array): number {
  let sum = 0;
  for (let k = 0; k < logits.length; k++) sum += rowLogLoss(logits[k]!, labels[k]!);
  return logits.length > 0 ? sum / logits.length : 0;
}

/** One row's log loss, without overflow: log(1 + e^-z) for a positive, log(1 + e^z) for a negative. */
export function rowLogLoss(logit: number, label: number): number {
  const t = label ? -logit : logit;
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}
