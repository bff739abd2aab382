import type { TermTablesCard } from "../model/card.ts";
import { binCount, binOf, type ModelInputSpec } from "../model/term-model.ts";

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
  rows: number;
  columns: ColumnDrift[];
}

/**
 * Counts each input column's cells into the model's training bins (docs/MODEL-FORMAT.md) as rows go
 * by: one integer increment per cell, no second pass, and counts from pieces of a file add up
 * (`merge`). Needs a `term-tables/1` card whose inputs carry `binShares` (the training rows' share
 * per bin); inputs without them are left out of the report.
 *
 * @example
 *   const drift = createDriftCounter(card, (name) => headers.indexOf(name));
 *   for (const record of records) drift.add(record);
 *   const report = drift.report(); // report.columns[i].psi
 */
export function createDriftCounter(card: TermTablesCard, columnOf: (name: string) => number | undefined, toNumber: (cell: string) => number = Number) {
  const tracked = card.inputs.flatMap((input) => {
    const column = columnOf(input.name);
    return input.binShares && column !== undefined ? [{ input, column, expected: input.binShares, lookup: categoryLookup(input) }] : [];
  });
  const counts = tracked.map((t) => new Float64Array(binCount(t.input)));
  const unseen = new Float64Array(tracked.length);
  let rows = 0;
  return {
    add(record: readonly string[]): void {
      rows++;
      tracked.forEach((t, i) => {
        const { bin, unseen: outside } = cellBin(t.input, t.lookup, record[t.column] ?? "", toNumber);
        counts[i]![bin]!++;
        if (outside) unseen[i]!++;
      });
    },
    /** Adds another counter's counts (a piece of the same file scored elsewhere). */
    merge(other: { counts: readonly Float64Array[]; unseen: Float64Array; rows: number }): void {
      rows += other.rows;
      other.counts.forEach((c, i) => c.forEach((n, b) => (counts[i]![b]! += n)));
      other.unseen.forEach((n, i) => (unseen[i]! += n));
    },
    state: () => ({ counts, unseen, rows }),
    report(): DriftReport {
      return {
        rows,
        columns: tracked.map((t, i) => {
          const actual = shares(counts[i]!);
          const psi = populationStabilityIndex(t.expected, actual);
          const nonBlank = rows - counts[i]![0]!;
          return {
            name: t.input.name,
            label: t.input.label,
            psi,
            flagged: psi > PSI_FLAG,
            unseenShare: t.lookup ? (nonBlank > 0 ? unseen[i]! / nonBlank : 0) : null,
            bins: binLabels(t.input).map((bin, b) => ({ bin, expected: t.expected[b] ?? 0, actual: actual[b]! })),
          };
        }),
      };
    },
  };
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

/** Training shares per bin from the training column: what a trainer writes as `binShares`. */
export function binSharesOf(input: ModelInputSpec, cells: Iterable<string>, toNumber: (cell: string) => number = Number): number[] {
  const counts = new Float64Array(binCount(input));
  const lookup = categoryLookup(input);
  for (const cell of cells) counts[cellBin(input, lookup, cell, toNumber).bin]!++;
  return shares(counts);
}

/**
 * The bin of a cell. Unreadable numbers land in the blank bin, as the scorer treats them; a
 * category the model does not know lands in "other" (the last bin) and counts as unseen.
 */
function cellBin(input: ModelInputSpec, lookup: ((cell: string) => number | undefined) | undefined, raw: string, toNumber: (cell: string) => number): { bin: number; unseen: boolean } {
  const cell = raw.trim();
  if (cell === "") return { bin: 0, unseen: false };
  if (!lookup) return { bin: binOf(input, toNumber(cell)), unseen: false };
  const code = lookup(cell);
  return code === undefined ? { bin: binCount(input) - 1, unseen: true } : { bin: binOf(input, code), unseen: false };
}

function shares(counts: Float64Array): number[] {
  const total = counts.reduce((s, n) => s + n, 0);
  return Array.from(counts, (n) => (total > 0 ? n / total : 0));
}

/** Categorical inputs: a cell's code, matched as the scorer does (trimmed, case-sensitive first, then case-insensitive). */
function categoryLookup(input: ModelInputSpec): ((cell: string) => number | undefined) | undefined {
  if (input.role === "numeric") return undefined;
  const exact = new Map(input.categories.map((c, i) => [c, i]));
  const folded = new Map(input.categories.map((c, i) => [c.toLowerCase(), i]).reverse() as [string, number][]);
  return (cell) => exact.get(cell) ?? folded.get(cell.toLowerCase());
}

function binLabels(input: ModelInputSpec): string[] {
  if (input.role !== "numeric") return ["(blank)", ...input.categories, "(other)"];
  const { cuts } = input;
  return ["(blank)", ...[...cuts, Number.POSITIVE_INFINITY].map((cut, i) => (i === 0 ? `≤ ${cut}` : Number.isFinite(cut) ? `${cuts[i - 1]} – ${cut}` : `> ${cuts[i - 1]}`))];
}
