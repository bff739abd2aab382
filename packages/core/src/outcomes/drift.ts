import { isTermTablesCard, type ModelCard } from "../model/card.ts";
import { binCount, binOf, type ModelInputSpec } from "../model/term-model.ts";
import type { BatchObserver, ObservedBatch } from "../scoring/batch-observer.ts";

/** Population stability index above which a column is flagged: the industry's "significant shift". */
export const PSI_FLAG = 0.2;
/** A bin empty on one side would make the PSI infinite; shares are floored at this. */
const SHARE_FLOOR = 1e-4;

export interface ColumnDrift {
  name: string;
  label: string;
  psi: number;
  flagged: boolean;
  /** Categorical inputs: share of non-blank cells outside the model's categories; null for numeric ones. */
  unseenShare: number | null;
  /** Per bin (blank first, then intervals or categories, then "other"): training share and this file's share. */
  bins: { bin: string; expected: number; actual: number }[];
}

export interface DriftReport {
  /** Rows counted (the scored ones). */
  rows: number;
  /** Columns with a PSI above PSI_FLAG. */
  flagged: number;
  columns: ColumnDrift[];
}

/** Per input: rows per bin, and (categoricals) cells outside the model's categories. Plain arrays: they cross threads and JSON as they are. */
export interface BinCounts {
  rows: number;
  counts: number[][];
  unseen: number[];
}

/**
 * Counts feature codes (docs/MODEL-FORMAT.md: row-major `[rows, inputs]`, numbers as read,
 * categories as level indexes, NaN blank) into each input's bins: one increment per cell, no second
 * pass over the file, and counts from parts of a file add up (`merge`). The scorer feeds it the
 * codes it gives onnxruntime; the trainer the codes of its training rows.
 *
 * @example
 *   const counts = createBinCounter(card.inputs);
 *   counts.add(codes, rows);         // per batch
 *   driftReport(card, counts.state()); // PSI per column, or null when the card has no binShares
 */
export function createBinCounter(inputs: readonly ModelInputSpec[]) {
  const width = inputs.length;
  const empty = (): BinCounts => ({
    rows: 0,
    counts: inputs.map((input) => new Array<number>(binCount(input)).fill(0)),
    unseen: inputs.map(() => 0),
  });
  let state = empty();
  // "Other" is the code one past the last level (term-tables-model.ts categoryCoder); numerics have none.
  const other = inputs.map((input) => (input.role === "numeric" ? -1 : input.categories.length));
  const counter = {
    /** As a scoring observer: the codes the model was just given. */
    observe(batch: ObservedBatch): void {
      if (batch.features) counter.add(batch.features, batch.rows);
    },
    add(codes: ArrayLike<number>, rows: number): void {
      state.rows += rows;
      for (let i = 0; i < width; i++) {
        const input = inputs[i]!;
        const counts = state.counts[i]!;
        for (let r = 0, at = i; r < rows; r++, at += width) {
          const code = codes[at]!;
          counts[binOf(input, code)]!++;
          if (code === other[i]) state.unseen[i]!++;
        }
      }
    },
    /** Adds another counter's counts (a part of the same file counted elsewhere). */
    merge(other: BinCounts): void {
      state.rows += other.rows;
      other.counts.forEach((c, i) => {
        c.forEach((n, b) => {
          state.counts[i]![b]! += n;
        });
      });
      other.unseen.forEach((n, i) => {
        state.unseen[i]! += n;
      });
    },
    state: (): BinCounts => state,
    /** The counts so far, and start again from zero (a scoring thread sends each range's counts). */
    drain(): BinCounts {
      const counted = state;
      state = empty();
      return counted;
    },
    /** Share of the rows in each bin, per input: what a trainer writes as `binShares`. */
    shares: (): number[][] => state.counts.map((c) => sharesOf(c, state.rows)),
  };
  return counter satisfies BatchObserver;
}

export type BinCounter = ReturnType<typeof createBinCounter>;

/** A counter for the files a model scores, when its card holds the training shares to compare with; else undefined (nothing to measure). */
export function driftCounterFor(card: ModelCard | undefined): BinCounter | undefined {
  return isTermTablesCard(card) && card.inputs.some((input) => input.binShares)
    ? createBinCounter(card.inputs)
    : undefined;
}

/**
 * PSI per input column of the counted rows against the training shares in the card (`binShares`),
 * and the share of categories the model never learned. Null when there is nothing to compare: a
 * card without `binShares` (trained before they were recorded), or no row counted.
 */
export function driftReport(card: ModelCard | undefined, counted: BinCounts): DriftReport | null {
  if (!isTermTablesCard(card) || counted.rows === 0 || !card.inputs.some((input) => input.binShares)) return null;
  const columns = card.inputs.flatMap((input, i): ColumnDrift[] => {
    const expected = input.binShares;
    if (!expected) return [];
    const counts = counted.counts[i]!;
    const actual = sharesOf(counts, counted.rows);
    const psi = populationStabilityIndex(expected, actual);
    const nonBlank = counted.rows - counts[0]!;
    return [
      {
        name: input.name,
        label: input.label,
        psi,
        flagged: psi > PSI_FLAG,
        unseenShare: input.role === "numeric" ? null : nonBlank > 0 ? counted.unseen[i]! / nonBlank : 0,
        bins: binLabels(input).map((bin, b) => ({ bin, expected: expected[b] ?? 0, actual: actual[b]! })),
      },
    ];
  });
  return { rows: counted.rows, flagged: columns.filter((c) => c.flagged).length, columns };
}

/** PSI = Σ (actual − expected) · ln(actual / expected) over bins, shares floored at SHARE_FLOOR. */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(expected[b]!, SHARE_FLOOR);
    const a = Math.max(actual[b] ?? 0, SHARE_FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

function sharesOf(counts: readonly number[], rows: number): number[] {
  return counts.map((n) => (rows > 0 ? n / rows : 0));
}

function binLabels(input: ModelInputSpec): string[] {
  if (input.role !== "numeric") return ["(blank)", ...input.categories, "(other)"];
  const { cuts } = input;
  return [
    "(blank)",
    ...[...cuts, Number.POSITIVE_INFINITY].map((cut, i) =>
      i === 0 ? `≤ ${cut}` : Number.isFinite(cut) ? `${cuts[i - 1]} – ${cut}` : `> ${cuts[i - 1]}`,
    ),
  ];
}
