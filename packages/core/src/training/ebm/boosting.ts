import { assertNever } from "../../model/term-model.ts";
import type { Histogram, TreeSettings } from "./splits.ts";
import { gridTree, lineTree } from "./splits.ts";

/** One term being boosted, with its cell of every fitting and validation row of the bag. */
export type BoostedTerm =
  | { kind: "main"; cells: number; fitCells: ArrayLike<number>; validCells: ArrayLike<number>; ordered: boolean }
  | { kind: "pair"; rows: number; cols: number; cells: number; fitCells: ArrayLike<number>; validCells: ArrayLike<number> };

export interface BoostSettings extends TreeSettings {
  learningRate: number;
  /** Upper bound on cyclic rounds (one step per term each). */
  maxRounds: number;
  /** Stop after this many rounds without a better validation log loss; the best round is kept. */
  patience: number;
  /** Leaves of a main term's tree (EBM: 3). */
  mainLeaves: number;
}

export interface BoostRows {
  fitLabels: Uint8Array;
  validLabels: Uint8Array;
  /** Log-odds before these terms (the intercept, or the intercept plus earlier stages); mutated. */
  fitLogits: Float64Array;
  validLogits: Float64Array;
}

export interface BoostResult {
  /** One table per term (length `cells`), as of the round with the best validation log loss. */
  tables: Float64Array[];
  rounds: number;
  validLogLoss: number;
}

/**
 * Cyclic gradient boosting: each round adds one small Newton tree to every term in turn, with the
 * gradients refreshed after each step (so a term fits what the previous ones left). Stops early on
 * the validation log loss and returns the tables of the best round; `rows` logits are left at the
 * best round too.
 */
export function boostTerms(terms: BoostedTerm[], rows: BoostRows, settings: BoostSettings, onRound?: (round: number) => void): BoostResult {
  const nFit = rows.fitLabels.length;
  const grad = new Float64Array(nFit);
  const hess = new Float64Array(nFit);
  refreshGradients(rows.fitLogits, rows.fitLabels, grad, hess);
  const tables = terms.map((t) => new Float64Array(t.cells));
  // Row counts per cell never change (the bag's rows are fixed); gradient sums are refilled each step.
  const hists = terms.map((t) => countCells(t));
  if (terms.length > 0) fillGradients(hists[0]!, terms[0]!.fitCells, grad, hess);
  let best = { tables: tables.map((t) => t.slice()), rounds: 0, validLogLoss: logLoss(rows.validLogits, rows.validLabels) };
  for (let round = 1; round <= settings.maxRounds && round - best.rounds <= settings.patience; round++) {
    terms.forEach((term, t) => {
      const delta = treeFor(term, hists[t]!, settings);
      const table = tables[t]!;
      for (let c = 0; c < term.cells; c++) table[c]! += delta[c]!;
      // One pass steps the logits and sums the next term's gradients (cyclic: the next of the last is the first).
      const next = (t + 1) % terms.length;
      stepAndFill(rows.fitLogits, rows.fitLabels, term.fitCells, delta, grad, hess, terms[next]!.fitCells, hists[next]!);
      addDelta(rows.validLogits, term.validCells, delta);
    });
    const loss = logLoss(rows.validLogits, rows.validLabels);
    if (loss < best.validLogLoss) best = { tables: tables.map((t) => t.slice()), rounds: round, validLogLoss: loss };
    onRound?.(round);
  }
  rewind(terms, tables, best.tables, rows);
  return best;
}

function treeFor(term: BoostedTerm, hist: Histogram, s: BoostSettings): Float64Array {
  switch (term.kind) {
    case "main":
      return lineTree(hist, term.ordered ? identity(term.cells) : byGradientRatio(hist), s.mainLeaves, s.learningRate, s);
    case "pair":
      return gridTree(hist, term.rows, term.cols, s.learningRate, s);
    default:
      return assertNever(term);
  }
}

const identities = new Map<number, Int32Array>();
function identity(n: number): Int32Array {
  let order = identities.get(n);
  if (!order) identities.set(n, (order = Int32Array.from({ length: n }, (_, i) => i)));
  return order;
}

/** Unordered levels are split along their current G/H order, the optimal order for a two-way split. */
function byGradientRatio(hist: Histogram): number[] {
  const ratio = (b: number) => (hist.H[b]! > 0 ? hist.G[b]! / hist.H[b]! : 0);
  return Array.from({ length: hist.G.length }, (_, b) => b).sort((a, b) => ratio(a) - ratio(b) || a - b);
}

function countCells(term: BoostedTerm): Histogram {
  const hist = { G: new Float64Array(term.cells), H: new Float64Array(term.cells), C: new Int32Array(term.cells) };
  for (let k = 0; k < term.fitCells.length; k++) hist.C[term.fitCells[k]!]!++;
  return hist;
}

function fillGradients(hist: Histogram, cells: ArrayLike<number>, grad: Float64Array, hess: Float64Array): void {
  hist.G.fill(0), hist.H.fill(0);
  for (let k = 0; k < grad.length; k++) (hist.G[cells[k]!]! += grad[k]!), (hist.H[cells[k]!]! += hess[k]!);
}

function stepAndFill(
  logits: Float64Array,
  labels: Uint8Array,
  cells: ArrayLike<number>,
  delta: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
  nextCells: ArrayLike<number>,
  next: Histogram,
): void {
  const { G, H } = next;
  G.fill(0), H.fill(0);
  for (let k = 0; k < logits.length; k++) {
    const z = (logits[k]! += delta[cells[k]!]!);
    const p = 1 / (1 + Math.exp(-z));
    const g = p - labels[k]!;
    const h = p * (1 - p);
    grad[k] = g;
    hess[k] = h;
    const c = nextCells[k]!;
    G[c]! += g;
    H[c]! += h;
  }
}

function refreshGradients(logits: Float64Array, labels: Uint8Array, grad: Float64Array, hess: Float64Array): void {
  for (let k = 0; k < logits.length; k++) {
    const p = 1 / (1 + Math.exp(-logits[k]!));
    grad[k] = p - labels[k]!;
    hess[k] = p * (1 - p);
  }
}

function addDelta(logits: Float64Array, cells: ArrayLike<number>, delta: Float64Array): void {
  for (let k = 0; k < logits.length; k++) logits[k]! += delta[cells[k]!]!;
}

/** Takes the logits back from the last round to the best one. */
function rewind(terms: BoostedTerm[], last: Float64Array[], best: Float64Array[], rows: BoostRows): void {
  terms.forEach((term, t) => {
    const back = last[t]!.map((v, c) => best[t]![c]! - v);
    addDelta(rows.fitLogits, term.fitCells, back);
    addDelta(rows.validLogits, term.validCells, back);
  });
}

/** Mean log loss of logits, computed without overflow: log(1 + e^-z) for positives, log(1 + e^z) for negatives. */
export function logLoss(logits: Float64Array, labels: Uint8Array): number {
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    const t = labels[k] ? -logits[k]! : logits[k]!;
    sum += t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
  }
  return logits.length > 0 ? sum / logits.length : 0;
}
