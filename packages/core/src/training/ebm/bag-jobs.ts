import { assertNever } from "../../model/term-model.ts";
import { stratifiedSplit } from "../split.ts";
import type { BinnedTable } from "./binning.ts";
import type { BoostedTerm, BoostResult, BoostSettings } from "./boosting.ts";
import { boostTerms } from "./boosting.ts";
import type { CoarseInput } from "./pairs.ts";
import { gather, pairTerm } from "./pairs.ts";
import type { BagRises, BagRows, StageCandidates, StageTerm } from "./pair-selection.ts";
import { bagRises } from "./pair-selection.ts";

/** What every bag of one fit reads: the binned table, the pair grids, the rows being fitted. Never written, so threads can share it. */
export interface BagContext {
  binned: BinnedTable;
  grids: CoarseInput[];
  /** 0/1 label of every row of the table. */
  labels: Uint8Array;
  /** The rows being fitted (indexes into the table). */
  rows: Int32Array;
  settings: BoostSettings & { bags: number; validationShare: number; seed: number };
}

/**
 * One bag's share of a stage. `mains` are the bag's own main-effect tables of `withMain` (from its
 * `mains` job), which the second-stage jobs start from.
 */
export type BagJob =
  | { kind: "mains"; bag: number; of: number[] }
  | { kind: "select"; bag: number; candidates: StageCandidates; mains: Float64Array[] }
  | { kind: "pairs"; bag: number; pairs: Array<[number, number]>; withMain: number[]; mains: Float64Array[] };

export interface BagJobResults {
  mains: BoostResult;
  select: BagRises;
  /** `outOfBag`: the bag's validation rows (positions in `rows`) and their log-odds under the bag's whole model. */
  pairs: BoostResult & { outOfBag: { positions: Int32Array; logits: Float64Array } };
}

export type BagJobResult<J extends BagJob = BagJob> = BagJobResults[J["kind"]];

/**
 * Runs one bag's job. Its result depends only on the context and the job (the bag's split and
 * seeds come from `settings.seed` and the bag number), never on which thread runs it or when: the
 * model is the same, byte for byte, on one thread or several.
 */
export function runBagJob<J extends BagJob>(context: BagContext, job: J): BagJobResult<J> {
  const { binned, grids, settings } = context;
  switch (job.kind) {
    case "mains": {
      const rowsOf = bagRows(context, job.bag);
      return boostTerms(
        job.of.map((i) => mainTerm(binned, i, rowsOf.fit, rowsOf.valid)),
        rowsOf,
        settings,
      ) as BagJobResult<J>;
    }
    case "select": {
      const termOf = (of: StageTerm, fit: Int32Array, valid: Int32Array) => (of.length === 1 ? mainTerm(binned, of[0], fit, valid) : pairTerm(grids, of, fit, valid));
      const bag = withMains(context, job.bag, job.candidates.pairsAmong, job.mains);
      return bagRises(grids, job.candidates, bag, termOf, settings, settings.seed + job.bag) as BagJobResult<J>;
    }
    case "pairs": {
      const rowsOf = withMains(context, job.bag, job.withMain, job.mains);
      const result = boostTerms(
        job.pairs.map((of) => pairTerm(grids, of, rowsOf.fit, rowsOf.valid)),
        rowsOf,
        settings,
      );
      return { ...result, outOfBag: { positions: rowsOf.validPositions, logits: rowsOf.validLogits } } as BagJobResult<J>;
    }
    default:
      return assertNever(job);
  }
}

/** The log-odds of the rows being fitted start at the log of their base odds. */
export function baseLogit(labels: ArrayLike<number>): number {
  let positives = 0;
  for (let k = 0; k < labels.length; k++) positives += labels[k]!;
  const rate = positives / labels.length;
  return Math.log(rate / (1 - rate));
}

/** A bag's rows: its own stratified fitting/validation split of `rows`, seeded by the bag number, at the base log-odds. */
function bagRows(context: BagContext, b: number): BagRows & { validPositions: Int32Array } {
  const { rows, labels, settings } = context;
  const rowLabels = gather(labels, rows) as Uint8Array;
  const intercept = baseLogit(rowLabels);
  const { train, heldOut } = stratifiedSplit(rowLabels, settings.validationShare, settings.seed + 7919 * (b + 1));
  return {
    fit: Int32Array.from(train, (k) => rows[k]!),
    valid: Int32Array.from(heldOut, (k) => rows[k]!),
    validPositions: Int32Array.from(heldOut),
    fitLabels: Uint8Array.from(train, (k) => rowLabels[k]!),
    validLabels: Uint8Array.from(heldOut, (k) => rowLabels[k]!),
    fitLogits: new Float64Array(train.length).fill(intercept),
    validLogits: new Float64Array(heldOut.length).fill(intercept),
  };
}

/** A bag's rows with its own main effects (of the inputs `of`, tables `tables`) already in their log-odds: where its second stage starts from. */
function withMains(context: BagContext, b: number, of: readonly number[], tables: Float64Array[]) {
  const rowsOf = bagRows(context, b);
  of.forEach((i, t) => {
    addTable(rowsOf.fitLogits, context.binned.codes[i]!, rowsOf.fit, tables[t]!);
    addTable(rowsOf.validLogits, context.binned.codes[i]!, rowsOf.valid, tables[t]!);
  });
  return rowsOf;
}

function mainTerm(binned: BinnedTable, i: number, fit: Int32Array, valid: Int32Array): BoostedTerm {
  const ordered = binned.specs[i]!.role === "numeric";
  return { kind: "main", cells: binned.bins[i]!, fitCells: gather(binned.codes[i]!, fit), validCells: gather(binned.codes[i]!, valid), ordered };
}

export function addTable(logits: Float64Array, codes: ArrayLike<number>, rows: Int32Array, table: Float64Array): void {
  for (let k = 0; k < rows.length; k++) logits[k]! += table[codes[rows[k]!]!]!;
}
