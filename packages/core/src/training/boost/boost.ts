import type { ForestTree } from "../../model/forest.ts";
import type { BinCodes } from "./binning.ts";
import type { Layout } from "./histogram.ts";
import { countRows, fillHistogram, newHistogram } from "./histogram.ts";
import type { GrownTree, Partners, TreeRows, TreeRule } from "./tree.ts";
import { forestTreeStep, growForestTree, growTree } from "./tree.ts";

export interface BoostRule extends TreeRule {
  /** Upper bound on trees per stage. */
  maxRounds: number;
  /** A stage stops after this many trees without a better validation log loss; its best tree count is kept. */
  patience: number;
  /** Distinct pairs of inputs the second stage's trees may read, at most. */
  maxPairs: number;
  /** Leaves of a third-stage (forest) tree, which may read any inputs; 0: no forest stage. */
  forestLeaves: number;
  /** The forest's learning rate: each of its trees costs every scored row a walk (model/forest.ts), so fewer, larger steps. */
  forestLearningRate: number;
  /** Upper bound on the forest's trees per bag, for the same reason. */
  forestRounds: number;
}

/** Share of the validation loss a tree must take off to count as an improvement. */
const MIN_GAIN = 1e-5;

/** One bag's rows, by position: the rows its trees are grown on and the rows that stop them. */
export interface BoostRows {
  layout: Layout;
  ordered: Uint8Array;
  fit: { codes: BinCodes[]; labels: Uint8Array; logits: Float64Array };
  valid: { codes: BinCodes[]; labels: Uint8Array; logits: Float64Array };
  /** The forest stage's codes of the same rows: categorical levels in the forest's order (model/forest.ts). */
  forest?: { fit: BinCodes[]; valid: BinCodes[]; inputs: number[] };
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
  /** The forest stage's trees, in the order grown. */
  forest: ForestTree[];
  /** Trees kept in each stage. */
  rounds: { mains: number; pairs: number; forest: number };
}

/** One stage's trees: how one is grown (adding to the fitting logits), stepped on other rows, and taken back. */
interface Stage<T> {
  codes: { fit: BinCodes[]; valid: BinCodes[] };
  inputs: readonly number[];
  /** 1 where an input's codes are ordered (split at a threshold), 0 where its levels are cut by their gradients. */
  ordered: Uint8Array;
  grow(rows: TreeRows, rootHist: Float64Array, logits: Float64Array): T | null;
  keep(tree: T, validLogits: Float64Array): void;
  /** The trees kept so far are the best count yet. */
  mark(): void;
  /** Takes back the trees grown since the last mark. */
  rewind(since: T[]): void;
}

/**
 * Gradient boosting of the log loss with trees that each read one input (first stage) and then at
 * most two (second stage, at most `maxPairs` distinct pairs), the way EBM fits main effects before
 * interactions; unlike EBM, each tree is grown greedily on whichever input (or pair) gains most, as
 * a gradient-boosting machine does. Every tree is a table over its inputs' bins, so their sum is an
 * additive model of main and pair terms whose contributions are exact. A third stage, with
 * `rows.forest`, grows trees over any inputs (the forest, kept as nodes: model/forest.ts credits
 * them exactly to their inputs). Each stage stops early on the validation rows' log loss and is
 * rewound to its best tree count. `rows` logits are left there. `terms` may hold a start (main
 * tables already in the rows' logits) that the trees add to.
 */
export function boostStages(rows: BoostRows, rule: BoostRule, choice: Choice, terms: Terms = new Map()): BoostResult {
  const inputs = Array.from({ length: rows.layout.bins.length }, (_, f) => f).filter(
    (f) => !choice.disabled.includes(f),
  );
  const mains = boostStage(
    rows,
    rule,
    tableStage(rows, rule, terms, inputs, () => []),
  );
  const partners = choice.pairs ? listedPartners(choice.pairs) : pairPartners(terms, inputs, rule.maxPairs);
  const pairs =
    rule.maxPairs > 0 && inputs.length > 1 && choice.pairs?.length !== 0
      ? boostStage(rows, rule, tableStage(rows, rule, terms, inputs, partners))
      : 0;
  const forest: ForestTree[] = [];
  const forestRule = {
    ...rule,
    maxLeaves: rule.forestLeaves,
    learningRate: rule.forestLearningRate,
    maxRounds: rule.forestRounds,
  };
  const trees =
    rule.forestLeaves > 1 && rows.forest
      ? boostStage(rows, forestRule, forestStage(rows.forest, forestRule, forest))
      : 0;
  return { terms, forest, rounds: { mains, pairs, forest: trees } };
}

/** Trees of at most two inputs, summed into `terms` (a table per set of inputs read). */
function tableStage(
  rows: BoostRows,
  rule: BoostRule,
  terms: Terms,
  inputs: number[],
  partners: Partners,
): Stage<GrownTree> {
  let keys = new Set<string>();
  return {
    codes: { fit: rows.fit.codes, valid: rows.valid.codes },
    inputs,
    ordered: rows.ordered,
    grow: (treeRows, hist, logits) => growTree(treeRows, hist, inputs, partners, rule, logits),
    keep(tree, validLogits) {
      addTree(terms, tree, 1);
      addTerm(validLogits, rows.valid.codes, tree, rows.layout.bins);
    },
    mark: () => {
      keys = new Set(terms.keys());
    },
    rewind(since) {
      for (const tree of since) addTree(terms, tree, -1);
      // A term whose every tree came after the best count is gone, not an all-zero table.
      for (const key of terms.keys()) if (!keys.has(key)) terms.delete(key);
    },
  };
}

/** Trees over any inputs, on the forest's ordered codes, kept as nodes in `trees`. */
function forestStage(codes: NonNullable<BoostRows["forest"]>, rule: TreeRule, trees: ForestTree[]): Stage<ForestTree> {
  return {
    codes,
    inputs: codes.inputs,
    // Levels are in the forest's order: every input splits at a threshold.
    ordered: new Uint8Array(codes.fit.length).fill(1),
    grow: (treeRows, hist, logits) => growForestTree(treeRows, hist, codes.inputs, rule, logits),
    keep(tree, validLogits) {
      trees.push(tree);
      forestTreeStep(tree, codes.valid, validLogits);
    },
    mark: () => {},
    rewind: (since) => void trees.splice(trees.length - since.length),
  };
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
    return pairs
      .filter((t) => t.inputs.includes(first))
      .map((t) => (t.inputs[0] === first ? t.inputs[1]! : t.inputs[0]));
  };
}

/** Grows trees until `patience` pass without a better validation loss; rewinds to the best count, returned. */
function boostStage<T>(rows: BoostRows, rule: BoostRule, stage: Stage<T>): number {
  const { fit, valid, layout } = rows;
  const grad = new Float64Array(fit.labels.length);
  const hess = new Float64Array(fit.labels.length);
  const hist = newHistogram(layout);
  const rootCounts = countRows(layout, stage.codes.fit);
  const treeRows = { layout, codes: stage.codes.fit, ordered: stage.ordered, grad, hess };
  const snapshot = (trees: number, loss: number) => ({
    trees,
    loss,
    fitLogits: fit.logits.slice(),
    validLogits: valid.logits.slice(),
  });
  let best = snapshot(0, logLoss(valid.logits, valid.labels));
  stage.mark();
  const since: T[] = [];
  for (let tree = 1; tree <= rule.maxRounds && tree - best.trees <= rule.patience; tree++) {
    gradients(fit.logits, fit.labels, grad, hess);
    hist.fill(0);
    fillHistogram(hist, layout, stage.codes.fit, stage.inputs, null, grad, hess, rootCounts);
    const grown = stage.grow(treeRows, hist, fit.logits);
    if (!grown) break;
    stage.keep(grown, valid.logits);
    since.push(grown);
    const loss = logLoss(valid.logits, valid.labels);
    // Gains below a hundred-thousandth of the loss are not worth trees: on a small validation set the loss
    // can creep down by such steps for thousands of trees (ionosphere: 2,000 trees, no AUC gained).
    if (loss < best.loss * (1 - MIN_GAIN)) {
      best = snapshot(tree, loss);
      stage.mark();
      since.length = 0;
    }
  }
  stage.rewind(since);
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
  if (!term) {
    term = { inputs: tree.inputs, table: new Float64Array(tree.table.length) };
    terms.set(key, term);
  }
  for (let c = 0; c < tree.table.length; c++) term.table[c]! += sign * tree.table[c]!;
}

/** Adds `sign` times a term's table (one input, or a pair row-major) to the logits of the rows `codes` hold. */
export function addTerm(
  logits: Float64Array,
  codes: readonly BinCodes[],
  term: { inputs: readonly number[]; table: Float64Array },
  bins: ArrayLike<number>,
  sign: 1 | -1 = 1,
): void {
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
