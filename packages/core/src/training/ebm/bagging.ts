import type { BagJob } from "./bag-jobs.ts";
import { addTable, baseLogit } from "./bag-jobs.ts";
import type { BagLanes } from "./bag-lanes.ts";
import type { BinnedTable } from "./binning.ts";
import type { BoostResult, BoostSettings } from "./boosting.ts";
import type { CoarseInput } from "./pairs.ts";
import { coarseGrids, gather, rankPairs, sameInformation, spreadOverBins } from "./pairs.ts";
import type { StageCandidates } from "./pair-selection.ts";
import { distinctPairs, gradients, keptTerms } from "./pair-selection.ts";

export interface BaggingSettings extends BoostSettings {
  /** Outer bags: each boosts on its own fitting/validation split; the tables are averaged. */
  bags: number;
  /** Share of a bag's rows kept aside for early stopping (stratified). */
  validationShare: number;
  /** Pair terms, the best by FAST rank: at most this many per input (EBM's default: 0.9). */
  pairsPerInput: number;
  /**
   * Choose the second-stage terms by held-out loss (`keptTerms`): derived sums of same-unit
   * columns, then pairs ranked by each bag on its own fitting rows, each kept only where taking it
   * out raises the loss of rows that neither chose nor stopped it beyond a significance bar. Off:
   * no sums, and EBM's top FAST pairs.
   */
  validatePairs: boolean;
  /** Groups per input on a pair term's grid (see `pairGrid`). */
  pairBins: number;
  seed: number;
}

export interface BaggedTerms {
  intercept: number;
  /** Averaged main-effect table per input (length = bins of the input). */
  mains: Float64Array[];
  /** Derived inputs kept as main terms (input index into the binned table, table over its bins). */
  derivedMains: Array<{ input: number; table: Float64Array }>;
  pairs: Array<{ inputs: [number, number]; table: Float64Array }>;
  /** Sum and count of each row's log-odds from the bags where it was a validation row (index as `rows`). */
  outOfBag: { sum: Float64Array; count: Uint16Array };
  /** Rounds each bag boosted before its best validation loss, per stage. */
  rounds: { mains: number[]; pairs: number[] };
}

/** `done` of `total` bag-jobs of the fit's stages finished; `stage` is the one running. */
export type StageProgress = (stage: "mains" | "pairs", done: number, total: number) => void;

/**
 * EBM's stages on the given rows, each bagged: (1) main effects of the table's `columns` boosted
 * cyclically until early stopping; (2) with `validatePairs`, the derived candidates (binned inputs
 * past `columns`) that held-out rows vouch for join the main effects, boosted again with them;
 * (3) pairs, chosen by held-out loss (or EBM's top FAST ranks), boosted as grid terms on top of
 * each bag's own main effects. Every stage runs one job per bag on `lanes` (this thread and maybe
 * others) and combines the bags' results in bag order.
 */
export async function fitBaggedTerms(binned: BinnedTable, labels: Uint8Array, rows: Int32Array, settings: BaggingSettings, lanes: BagLanes, progress: StageProgress, columns = binned.specs.length): Promise<BaggedTerms> {
  const rowLabels = gather(labels, rows) as Uint8Array;
  const intercept = baseLogit(rowLabels);
  const grids = coarseGrids(binned, settings.pairBins);
  lanes.use({ binned, grids, labels, rows, settings });
  const bags = Array.from({ length: settings.bags }, (_, b) => b);
  // The table's own columns get main effects first; inputs past them are derived candidates (`sumCandidates`).
  const inputs = Array.from({ length: columns }, (_, i) => i);
  const derived = settings.validatePairs ? binned.specs.map((_, i) => i).slice(columns) : [];
  const wantedPairs = Math.round(settings.pairsPerInput * columns);
  // Progress counts bag-jobs: mains, then (with candidate sums) their selection and the mains boosted again, pair selection, pairs.
  const total = settings.bags * (2 + (derived.length > 0 ? 2 : 0) + (settings.validatePairs && wantedPairs > 0 ? 1 : 0));
  let before = 0;
  const stage = async <J extends BagJob>(name: "mains" | "pairs", jobs: J[]) => {
    const results = await lanes.run(jobs, (done) => progress(name, before + done, total));
    before += jobs.length;
    return results;
  };
  const boostMains = (of: number[]) => stage("mains", bags.map((bag) => ({ kind: "mains" as const, bag, of })));
  // Candidates are judged on top of each bag's own main effects (`perBag`, of `candidates.pairsAmong`).
  const select = async (candidates: StageCandidates, perBag: BoostResult[]) =>
    keptTerms(await stage("pairs", bags.map((bag) => ({ kind: "select" as const, bag, candidates, mains: perBag[bag]!.tables }))), candidates.pairs);
  const firstMains = await boostMains(inputs);
  // Kept sums join the main effects, boosted cyclically with the columns they add up (sharing credit).
  const sums = derived.length > 0 ? (await select({ derived, pairsAmong: inputs, pairs: 0 }, firstMains)).flat() : [];
  if (derived.length > 0 && sums.length === 0) before += settings.bags;
  const mainInputs = [...inputs, ...sums];
  const mainsPerBag = sums.length === 0 ? firstMains : await boostMains(mainInputs);
  const mains = average(mainsPerBag.map((r) => r.tables));
  const pairs = (
    !settings.validatePairs
      ? topFastPairs(binned, grids, rows, rowLabels, intercept, mains, settings)
      : wantedPairs > 0
        ? await select({ derived: [], pairsAmong: mainInputs, pairs: wantedPairs }, mainsPerBag)
        : []
  ) as Array<[number, number]>;
  const pairsPerBag = await stage(
    "pairs",
    bags.map((bag) => ({ kind: "pairs" as const, bag, pairs, withMain: mainInputs, mains: mainsPerBag[bag]!.tables })),
  );
  const outOfBag = { sum: new Float64Array(rows.length), count: new Uint16Array(rows.length) };
  for (const { outOfBag: bag } of pairsPerBag) bag.positions.forEach((k, v) => ((outOfBag.sum[k]! += bag.logits[v]!), outOfBag.count[k]!++));
  const pairTables = average(pairsPerBag.map((r) => r.tables));
  return {
    intercept,
    mains: mains.slice(0, columns),
    derivedMains: mainInputs.slice(columns).map((input, d) => ({ input, table: mains[columns + d]! })),
    pairs: pairs.map((of, p) => ({ inputs: of, table: spreadOverBins(binned, grids, of, pairTables[p]!) })),
    outOfBag,
    rounds: { mains: mainsPerBag.map((r) => r.rounds), pairs: pairsPerBag.map((r) => r.rounds) },
  };
}

/** The best pairs by FAST on the residuals of the averaged main effects of all the rows (EBM's own choice). */
function topFastPairs(binned: BinnedTable, grids: CoarseInput[], rows: Int32Array, rowLabels: Uint8Array, intercept: number, mains: Float64Array[], s: BaggingSettings): Array<[number, number]> {
  const logits = new Float64Array(rows.length).fill(intercept);
  mains.forEach((table, i) => addTable(logits, binned.codes[i]!, rows, table));
  const { grad, hess } = gradients(logits, rowLabels);
  const codes = grids.map((g) => g.codes);
  const groups = grids.map((g) => g.groups);
  return distinctPairs(rankPairs(codes, groups, rows, grad, hess, s), sameInformation(codes, groups), Math.round(s.pairsPerInput * binned.specs.length));
}

function average(perBag: Float64Array[][]): Float64Array[] {
  const [first] = perBag;
  if (!first) return [];
  return first.map((_, t) => {
    const mean = new Float64Array(first[t]!.length);
    for (const tables of perBag) for (let c = 0; c < mean.length; c++) mean[c]! += tables[t]![c]! / perBag.length;
    return mean;
  });
}
