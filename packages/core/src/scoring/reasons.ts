import { ellipsize } from "../bounded-text.ts";
import { booleanLabel, cellValue, computedNumber, NOT_GIVEN, yesNo, type CellKind } from "./cell-words.ts";
import { neutralizeFormula } from "./formula-cells.ts";
import { NEEDS_QUOTES } from "./output.ts";

/** How many factors each reasons column lists. */
export const REASONS_PER_SIDE = 3;
/** Contributions smaller than this (in log-odds) read as "+0.00" and say nothing: left out. */
const MIN_CONTRIBUTION = 0.005;
/** Sentences remembered per factor: every category of a column, and the common numbers; a bound for columns of unique values. */
const CACHED_SENTENCES_PER_FACTOR = 4096;

/**
 * The cells one contribution of the model's output reads (a model `Factor`: an input, or a term over
 * one or two inputs), placed in this file: `[{ label: "Contract", column: 14 }]` where column is the
 * cell's index in the file's records.
 */
export interface FactorCells {
  parts: readonly FactorPart[];
}

/** One subject of a reason: a cell, or (`sumOf`) the sum of several numeric cells, read with the file's number format. */
export interface FactorPart {
  label: string;
  column: number;
  sumOf?: { columns: readonly number[]; read: (cell: string) => number; decimal?: "." | "," };
  /** How the cell reads (default: as written). */
  kind?: CellKind;
  /**
   * The model inputs the subject reads (one, or a derived sum's): subjects sharing an input restate
   * one fact and make one reason. Default: the cell's column alone.
   */
  inputs?: readonly number[];
}

export interface Reasons {
  risk: string[];
  protective: string[];
}

/**
 * The top contributions of a row as sentences a customer success manager can act on:
 * `Contract is Month-to-month (+0.82)` raises churn risk, `Tenure (months) is 61 (-1.10)` lowers it;
 * a yes/no cell reads `Partner: yes`, a blank one `Total charges not given`; numbers as written
 * (cell-words.ts).
 *
 * One reason per fact (docs/MODEL.md "Reasons"): the factors' subjects are grouped so that subjects
 * reading a common input (a column and a derived sum containing it) are one reason, and each factor's
 * contribution is shared equally among its subjects (a pair term half to each input, the Shapley
 * split of a pure interaction). A reason's number is the sum of its shares, so the reasons of a row
 * (listed or not) plus the intercept are its log-odds (`reasonContributions()`).
 *
 * Built for a million rows: the tops are kept in fixed arrays, and a factor's sentence is built once
 * per distinct cell text and contribution, then reused (a category's sentence is built once per file).
 * The contribution is part of the cache key, so a model whose contributions depend on other cells
 * still gets exact sentences.
 *
 * @example
 *   const reasons = new ReasonWriter([{ parts: [{ label: "Contract", column: 1 }] }]);
 *   reasons.explain(Float32Array.of(0.82), 0, ["id-1", "Month-to-month"]);
 *   reasons.riskText(); // "Contract is Month-to-month (+0.82)"
 */
export class ReasonWriter {
  private readonly risk = new Int32Array(REASONS_PER_SIDE);
  private readonly protective = new Int32Array(REASONS_PER_SIDE);
  private riskCount = 0;
  private protectiveCount = 0;
  private record: readonly string[] = [];
  private readonly sentences: Map<string, Sentence>[];
  /** The reasons: each a group of subjects that restate one fact. */
  private readonly groups: FactorCells[];
  /** Factor `shareFactor[k]` gives `shareWeight[k]` of its contribution to reason `shareGroup[k]`. */
  private readonly shareFactor: Int32Array;
  private readonly shareGroup: Int32Array;
  private readonly shareWeight: Float64Array;
  /** The last row's contribution per reason. */
  private readonly sums: Float64Array;

  constructor(factors: readonly FactorCells[]) {
    const grouped = groupSubjects(factors);
    this.groups = grouped.groups;
    this.shareFactor = Int32Array.from(grouped.shares, (s) => s.factor);
    this.shareGroup = Int32Array.from(grouped.shares, (s) => s.group);
    this.shareWeight = Float64Array.from(grouped.shares, (s) => s.weight);
    this.sums = new Float64Array(this.groups.length);
    this.sentences = this.groups.map(() => new Map());
  }

  /** Picks the row's top factors: `contributions[offset + f]` is factor f's, `record` the row as read. */
  explain(contributions: ArrayLike<number>, offset: number, record: readonly string[]): void {
    this.record = record;
    this.riskCount = 0;
    this.protectiveCount = 0;
    const { sums, shareFactor, shareGroup, shareWeight } = this;
    sums.fill(0);
    for (let k = 0; k < shareFactor.length; k++)
      sums[shareGroup[k]!]! += shareWeight[k]! * contributions[offset + shareFactor[k]!]!;
    for (let g = 0; g < sums.length; g++) {
      const c = sums[g]!;
      if (c >= MIN_CONTRIBUTION) this.riskCount = insertTop(this.risk, this.riskCount, g, c, sums, 0);
      else if (c <= -MIN_CONTRIBUTION)
        this.protectiveCount = insertTop(this.protective, this.protectiveCount, g, -c, sums, 0, -1);
    }
  }

  /** The last row's contribution of every reason, listed or not: with the intercept they sum to its log-odds. */
  reasonContributions(): Float64Array {
    return this.sums.slice();
  }

  /** The risk factors of the last row explained, joined with "; ". */
  riskText(): string {
    return this.joined(this.risk, this.riskCount);
  }

  protectiveText(): string {
    return this.joined(this.protective, this.protectiveCount);
  }

  /** `riskText()` as a CSV field, quoted only when a sentence needs it (known per cached sentence: no scan of the joined text). */
  riskField(): string {
    return this.field(this.risk, this.riskCount);
  }

  protectiveField(): string {
    return this.field(this.protective, this.protectiveCount);
  }

  /** Both sides as lists (for the summary's top risks, a few rows per file). */
  lists(): Reasons {
    return { risk: this.list(this.risk, this.riskCount), protective: this.list(this.protective, this.protectiveCount) };
  }

  private joined(top: Int32Array, count: number): string {
    let text = "";
    for (let k = 0; k < count; k++) text += (k === 0 ? "" : "; ") + this.sentence(top[k]!).text;
    return text;
  }

  private field(top: Int32Array, count: number): string {
    let text = "";
    let quote = false;
    for (let k = 0; k < count; k++) {
      const sentence = this.sentence(top[k]!);
      text += (k === 0 ? "" : "; ") + sentence.text;
      quote ||= sentence.quote;
    }
    // A label comes from the customer's header: it may start like a formula (the first sentence leads).
    text = neutralizeFormula(text);
    return quote ? `"${text.replaceAll('"', '""')}"` : text;
  }

  private list(top: Int32Array, count: number): string[] {
    return Array.from(top.subarray(0, count), (f) => this.sentence(f).text);
  }

  private sentence(f: number): Sentence {
    const { parts } = this.groups[f]!;
    const contribution = this.sums[f]!;
    const cells =
      parts.length === 1 && !parts[0]!.sumOf
        ? (this.record[parts[0]!.column] ?? "")
        : parts.map((p) => this.cellsOf(p)).join("\u0000");
    const cache = this.sentences[f]!;
    const cached = cache.get(cells);
    if (cached !== undefined) {
      // Same cells, another number (a forest's credit depends on other cells): only the number is new.
      if (cached.contribution !== contribution) {
        cached.contribution = contribution;
        cached.text = cached.subject + " (" + signed(contribution) + ")";
      }
      return cached;
    }
    let subject = "";
    for (let p = 0; p < parts.length; p++) subject += (p === 0 ? "" : " and ") + this.clause(parts[p]!);
    const sentence = {
      subject,
      contribution,
      text: subject + " (" + signed(contribution) + ")",
      quote: NEEDS_QUOTES.test(subject),
    };
    if (cache.size < CACHED_SENTENCES_PER_FACTOR) cache.set(cells, sentence);
    return sentence;
  }

  private cellsOf(part: FactorPart): string {
    return part.sumOf
      ? part.sumOf.columns.map((c) => this.record[c] ?? "").join("\u0000")
      : (this.record[part.column] ?? "");
  }

  /** `Contract is Month-to-month`, `Partner: yes`, `Total charges not given`. */
  private clause(part: FactorPart): string {
    const value = this.valueOf(part);
    if (value === "") return (part.kind === "boolean" ? booleanLabel(part.label) : part.label) + " " + NOT_GIVEN;
    if (part.kind === "boolean" && yesNo(value) !== undefined)
      return booleanLabel(part.label) + ": " + cellValue("boolean", value);
    return part.label + " is " + ellipsize(cellValue(part.kind ?? "category", value));
  }

  /** The subject's cell trimmed ("" for blank); a sum to 6 significant digits, as a person would write it. */
  private valueOf(part: FactorPart): string {
    if (!part.sumOf) return (this.record[part.column] ?? "").trim();
    let sum = 0;
    for (const c of part.sumOf.columns) sum += part.sumOf.read(this.record[c] ?? "");
    return Number.isFinite(sum) ? computedNumber(sum, part.sumOf.decimal) : "";
  }
}

interface Sentence {
  /** What the reason names (`Contract is Month-to-month`), from the cells alone. */
  subject: string;
  contribution: number;
  text: string;
  /** The text holds a character that makes a CSV field need quotes. */
  quote: boolean;
}

/**
 * The reasons of a model's factors: subjects (a cell, or a derived sum) that read a common input are
 * one reason (union-find over inputs), and each factor's contribution is split equally among its
 * distinct subjects. Reasons are in order of their first subject's appearance.
 */
function groupSubjects(factors: readonly FactorCells[]): {
  groups: FactorCells[];
  shares: { factor: number; group: number; weight: number }[];
} {
  const subjects = new Map<string, { part: FactorPart; inputs: string[] }>();
  const factorSubjects = factors.map(({ parts }) => [
    ...new Set(
      parts.map((part) => {
        const inputs = part.inputs ? part.inputs.map((i) => `i${i}`) : [`c${part.column}`];
        const key = (part.sumOf ? "sum:" : "") + [...inputs].sort().join(",");
        if (!subjects.has(key)) subjects.set(key, { part, inputs });
        return key;
      }),
    ),
  ]);
  // Union-find over subjects, joined through the inputs they read.
  const keys = [...subjects.keys()];
  const parent = keys.map((_, k) => k);
  const root = (k: number): number => {
    if (parent[k] !== k) parent[k] = root(parent[k]!);
    return parent[k]!;
  };
  const byInput = new Map<string, number>();
  keys.forEach((key, k) => {
    for (const input of subjects.get(key)!.inputs) {
      const seen = byInput.get(input);
      if (seen === undefined) byInput.set(input, k);
      else parent[root(k)] = root(seen);
    }
  });
  const groupOfRoot = new Map<number, number>();
  const groups: FactorCells[] = [];
  const groupOf = keys.map((key, k) => {
    const r = root(k);
    let g = groupOfRoot.get(r);
    if (g === undefined) {
      g = groups.length;
      groupOfRoot.set(r, g);
      groups.push({ parts: [] });
    }
    (groups[g]!.parts as FactorPart[]).push(subjects.get(key)!.part);
    return g;
  });
  const index = new Map(keys.map((key, k) => [key, k]));
  const shares = factorSubjects.flatMap((own, factor) =>
    own.map((key) => ({ factor, group: groupOf[index.get(key)!]!, weight: 1 / own.length })),
  );
  return { groups, shares };
}

/**
 * Inserts factor f (score s = sign * contribution) into `top`, kept largest first with ties in
 * factor order, at most REASONS_PER_SIDE long; returns the new count.
 */
function insertTop(
  top: Int32Array,
  count: number,
  f: number,
  s: number,
  contributions: ArrayLike<number>,
  offset: number,
  sign = 1,
): number {
  let at = count;
  while (at > 0 && sign * contributions[offset + top[at - 1]!]! < s) at--;
  if (at >= REASONS_PER_SIDE) return count;
  for (let k = Math.min(count, REASONS_PER_SIDE - 1); k > at; k--) top[k] = top[k - 1]!;
  top[at] = f;
  return Math.min(count + 1, REASONS_PER_SIDE);
}

function signed(x: number): string {
  return (x >= 0 ? "+" : "-") + Math.abs(x).toFixed(2);
}
