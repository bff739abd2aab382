import type { BoostedTerm, BoostRows, BoostSettings } from "./boosting.ts";
import { boostTerms } from "./boosting.ts";
import type { CoarseInput } from "./pairs.ts";
import { rankPairs, sameInformation } from "./pairs.ts";
import { stratifiedSplit } from "../split.ts";

/** z of a one-sided 2.5% test: the bar for a single candidate. */
const SIGNIFICANT = 1.959964;

/** A second-stage term: a derived input's main effect `[i]`, or a pair `[i, j]`. */
export type StageTerm = [number] | [number, number];

/** One bag's rows (their positions in the table) with the log-odds of the bag's main effects. */
export interface BagRows extends BoostRows {
  fit: Int32Array;
  valid: Int32Array;
}

/** What taking each candidate out did to one bag's judging rows: per candidate, the sum and sum of squares of the rows' log-loss rises. */
export interface BagRises {
  candidates: Array<{ inputs: StageTerm; sum: number; squares: number }>;
  /** Judging rows of the bag. */
  rows: number;
}

/** The candidates of the second stage: derived inputs' main effects, and pairs among `pairsAmong` (at most `pairs` per bag, by FAST rank). */
export interface StageCandidates {
  derived: readonly number[];
  pairsAmong: readonly number[];
  pairs: number;
}

/**
 * One bag's part of `keptTerms`: it ranks the pairs by FAST on its own fitting rows (the residuals
 * of its own main effects), boosts its best pairs and every derived candidate together with early
 * stopping on half of its validation rows, and on the other half measures, for every candidate,
 * how much each row's log loss rises when that candidate's table is taken out. Depends only on the
 * bag's rows and `seed`, so bags can run on any thread in any order.
 */
export function bagRises(
  grids: CoarseInput[],
  candidates: StageCandidates,
  bag: BagRows,
  termOf: (of: StageTerm, fit: Int32Array, valid: Int32Array) => BoostedTerm,
  s: BoostSettings,
  seed: number,
): BagRises {
  const { derived, pairsAmong, pairs: wanted } = candidates;
  // Half the validation rows stop the boosting, the other half judge: rows that neither chose the candidates nor their rounds.
  const { stopping, judging } = halves(bag, seed);
  let ranked: Array<[number, number]> = [];
  if (wanted > 0) {
    const codes = pairsAmong.map((i) => grids[i]!.codes);
    const groups = pairsAmong.map((i) => grids[i]!.groups);
    const { grad, hess } = gradients(stopping.fitLogits, stopping.fitLabels);
    ranked = distinctPairs(rankPairs(codes, groups, stopping.fit, grad, hess, s), sameInformation(codes, groups), wanted);
  }
  const pairs = ranked.map(([a, b]): StageTerm => [pairsAmong[a]!, pairsAmong[b]!]);
  const terms: StageTerm[] = [...derived.map((i): StageTerm => [i]), ...pairs];
  const { tables } = boostTerms(terms.map((of) => termOf(of, stopping.fit, stopping.valid)), stopping, s);
  const cells = terms.map((of) => termOf(of, judging.rows, judging.rows).fitCells);
  const logits = judging.logits.slice();
  cells.forEach((c, t) => addCells(logits, c, tables[t]!));
  return {
    rows: logits.length,
    candidates: terms.map((inputs, t) => {
      let [sum, squares] = [0, 0];
      for (let v = 0; v < logits.length; v++) {
        const [z, y] = [logits[v]!, judging.labels[v]!];
        const d = rowLogLoss(z - tables[t]![cells[t]![v]!]!, y) - rowLogLoss(z, y);
        (sum += d), (squares += d * d);
      }
      return { inputs, sum, squares };
    }),
  };
}

/**
 * Second-stage terms chosen by what they do on rows they were not chosen on (`bagRises`, one per
 * bag, combined in bag order): pairs of inputs, and the main effects of derived inputs. A
 * candidate is kept when the rise of the loss without it, averaged over the judging rows of every
 * bag (0 in bags that did not pick it), exceeds `z` standard errors, with a bar that grows with
 * the number of candidates tested (see below): terms that fit noise (small tables, many inputs)
 * are dropped, real interactions and sums kept. Returned best first, at most `pairs` pairs.
 */
export function keptTerms(perBag: readonly BagRises[], pairs: number): StageTerm[] {
  const rises = new Map<string, { inputs: StageTerm; sum: number; squares: number }>();
  let validRows = 0;
  for (const bag of perBag) {
    for (const { inputs, sum, squares } of bag.candidates) {
      const key = inputs.join(",");
      const rise = rises.get(key) ?? { inputs, sum: 0, squares: 0 };
      (rise.sum += sum), (rise.squares += squares);
      rises.set(key, rise);
    }
    validRows += bag.rows;
  }
  // A candidate must be significant on its own (one-sided 2.5%, z = 1.96), and every candidate tested
  // is a chance for noise to pass: with many, the bar rises so that about one pure-noise candidate
  // at most is expected to clear it (a Bonferroni-style bound).
  const bar = Math.max(SIGNIFICANT, normalQuantile(1 - 1 / rises.size));
  return [...rises.values()]
    .map(({ inputs, sum, squares }) => {
      const mean = sum / validRows;
      const standardError = Math.sqrt(Math.max(0, squares / validRows - mean * mean) / validRows);
      return { inputs, mean, standardError };
    })
    .filter((p) => p.mean > bar * p.standardError)
    .sort((a, b) => b.mean - a.mean || a.inputs[0] - b.inputs[0] || (a.inputs[1] ?? -1) - (b.inputs[1] ?? -1))
    .map((p) => p.inputs)
    .filter((of, k, kept) => of.length === 1 || kept.slice(0, k).filter((o) => o.length === 2).length < pairs);
}

/** z with P(Z ≤ z) = q for a standard normal Z, by bisection on the complementary error function. */
export function normalQuantile(q: number): number {
  let [low, high] = [-10, 10];
  for (let step = 0; step < 100; step++) {
    const mid = (low + high) / 2;
    if (1 - 0.5 * erfc(mid / Math.SQRT2) < q) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** The first `wanted` pairs of a ranking that do not repeat another pair's information (twin inputs, see `sameInformation`). */
export function distinctPairs(ranked: Array<{ inputs: [number, number] }>, same: Int32Array, wanted: number): Array<[number, number]> {
  const chosen: Array<[number, number]> = [];
  const seen = new Set<string>();
  for (const { inputs } of ranked) {
    if (chosen.length >= wanted) break;
    const [a, b] = inputs.map((i) => same[i]!).sort((x, y) => x - y) as [number, number];
    if (a === b || seen.has(`${a},${b}`)) continue;
    seen.add(`${a},${b}`), chosen.push(inputs);
  }
  return chosen;
}

/** A bag's validation rows split in two, stratified: `stopping` keeps the first half as its validation rows. */
function halves(bag: BagRows, seed: number): { stopping: BagRows; judging: { rows: Int32Array; labels: Uint8Array; logits: Float64Array } } {
  const { train, heldOut } = stratifiedSplit(bag.validLabels, 0.5, seed);
  const pick = <T extends Int32Array | Uint8Array | Float64Array>(values: T, positions: number[]) => values.constructor === Int32Array ? Int32Array.from(positions, (k) => values[k]!) : values.constructor === Uint8Array ? Uint8Array.from(positions, (k) => values[k]!) : Float64Array.from(positions, (k) => values[k]!);
  return {
    stopping: { ...bag, valid: pick(bag.valid, train) as Int32Array, validLabels: pick(bag.validLabels, train) as Uint8Array, validLogits: pick(bag.validLogits, train) as Float64Array },
    judging: { rows: pick(bag.valid, heldOut) as Int32Array, labels: pick(bag.validLabels, heldOut) as Uint8Array, logits: pick(bag.validLogits, heldOut) as Float64Array },
  };
}

function addCells(logits: Float64Array, cells: ArrayLike<number>, table: Float64Array): void {
  for (let k = 0; k < logits.length; k++) logits[k]! += table[cells[k]!]!;
}

export function gradients(logits: Float64Array, labels: Uint8Array): { grad: Float64Array; hess: Float64Array } {
  const grad = new Float64Array(logits.length);
  const hess = new Float64Array(logits.length);
  for (let k = 0; k < logits.length; k++) {
    const p = 1 / (1 + Math.exp(-logits[k]!));
    (grad[k] = p - labels[k]!), (hess[k] = p * (1 - p));
  }
  return { grad, hess };
}

function rowLogLoss(z: number, y: number): number {
  const t = y ? -z : z;
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}
