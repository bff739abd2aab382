import { parseNumber, type NumberFormat } from "../csv/numbers.ts";
import type { ColumnRole } from "../model/card.ts";
import { assertNever } from "../model/term-model.ts";
import { factorLabel } from "./card.ts";
import { columnAuc } from "./column-auc.ts";
import { auc } from "./metrics.ts";
import type { TableInput } from "./table.ts";

/** A column's role and why, as written to the card and printed by `train`. */
export interface ColumnDecision {
  name: string;
  role: ColumnRole;
  reason: string;
}

export interface RawColumn {
  name: string;
  /** Trimmed cells, one per kept row. */
  cells: string[];
}

export interface RoleOverrides {
  /** Column indexes to use as inputs whatever their detected role (`--input`); all others are left out. */
  inputs?: ReadonlySet<number>;
  /** Column indexes never to use (`--exclude`). */
  exclude?: ReadonlySet<number>;
}

/** A column is an identifier when named like one and distinct in at least this share of rows. */
const ID_DISTINCT_SHARE = 0.9;
/**
 * Whole numbers distinct in at least this share of rows may be identifiers (an export with a few
 * duplicated customers still is one).
 */
const UNIQUE_INTEGER_SHARE = 0.99;
/** Distinct whole numbers of at least this many digits are account or customer numbers (CLIENTNUM 768805383), not quantities. */
const ID_DIGITS = 9;
/** Below this many rows, "distinct in every row" says little (any measurement is), and an AUC near 0.5 proves nothing. */
const MIN_UNORDERED_ID_ROWS = 200;
/**
 * A column is ordered relative to the label when an AUC of it is this many standard errors of a
 * random column's AUC away from 0.5 (0.13% of random columns go further on each side).
 */
const ORDER_Z = 3;
/** Numbers in text: at least this share of the non-blank cells must read as numbers (the rest become missing). */
const NUMERIC_SHARE = 0.95;
/** Dates: at least this share of the non-blank cells must look like dates. */
const DATE_SHARE = 0.95;
/** A level seen in fewer rows than this says little on its own. */
const RARE_LEVEL_ROWS = 10;
/** Text with more levels than this, most of its rows in rare levels, is free text (names, comments). */
const FREE_TEXT_LEVELS = 50;
/** A column that alone ranks held-out rows this well predicts the label too well to be known before churn. */
const LEAKAGE_AUC = 0.98;

const BOOLEAN_PAIRS = [
  ["no", "yes"],
  ["n", "y"],
  ["false", "true"],
  ["f", "t"],
  ["0", "1"],
];
const DATE =
  /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** The end of a customer relationship: a date named so is set when (or after) the customer churns. */
const END_WORDS = /churn|cancel|terminat|exit|leav|left|close|end|stop|lost/i;
const ID_WORDS = new Set(["id", "uuid", "guid", "key", "number", "no", "nr", "num"]);

/**
 * Decides the role of every input column (the label is decided elsewhere) and types the ones used:
 * identifiers, free text, constants, dates and leakage suspects are left out, each with a reason.
 */
export function decideRoles(
  columns: readonly RawColumn[],
  labels: Uint8Array,
  format: NumberFormat,
  overrides: RoleOverrides = {},
): { decisions: ColumnDecision[]; inputs: TableInput[] } {
  const decisions: ColumnDecision[] = [];
  const inputs: TableInput[] = [];
  columns.forEach((column, index) => {
    const profile = profileColumn(column, format);
    const forced = overrides.inputs?.has(index) ?? false;
    const detected = detectRole(profile, labels);
    let decision = { name: column.name, role: detected.role, reason: detected.reason };
    const typed = typedInput(profile, detected.role);
    if (overrides.exclude?.has(index))
      decision = { ...decision, reason: `left out by --exclude (detected: ${detected.reason})` };
    else if (overrides.inputs && !forced)
      decision = { ...decision, reason: `left out: not listed in --input (detected: ${detected.reason})` };
    else if (forced && !isInputRole(detected.role)) {
      const input = forcedInput(profile);
      decision = {
        name: column.name,
        role: input.role,
        reason: `used because of --input (detected: ${detected.role}, ${detected.reason})`,
      };
      inputs.push(input);
    } else if (typed !== undefined) {
      const leak = leakage(typed, labels);
      if (leak !== undefined && !forced) decision = { name: column.name, role: "leakage_suspect", reason: leak };
      else inputs.push(typed);
    }
    decisions.push(decision);
  });
  return { decisions, inputs };
}

interface Profile {
  name: string;
  cells: string[];
  nonBlank: number;
  /** Distinct non-blank values and their counts. */
  levels: Map<string, number>;
  /** The cells read as numbers (NaN blank or unreadable), when enough of them are numbers. */
  numbers: Float64Array | undefined;
  /** Non-blank cells that are not numbers, and the first of them. */
  notNumbers: { count: number; first?: { row: number; cell: string } };
}

function profileColumn({ name, cells }: RawColumn, format: NumberFormat): Profile {
  const levels = new Map<string, number>();
  const numbers = new Float64Array(cells.length);
  let nonBlank = 0;
  const notNumbers: Profile["notNumbers"] = { count: 0 };
  cells.forEach((cell, row) => {
    if (cell === "") {
      numbers[row] = Number.NaN;
      return;
    }
    nonBlank++;
    levels.set(cell, (levels.get(cell) ?? 0) + 1);
    const value = parseNumber(cell, format);
    numbers[row] = value ?? Number.NaN;
    if (value === undefined) {
      notNumbers.count++;
      notNumbers.first ??= { row: row + 1, cell };
    }
  });
  const numeric = nonBlank > 0 && nonBlank - notNumbers.count >= NUMERIC_SHARE * nonBlank;
  return { name, cells, nonBlank, levels, numbers: numeric ? numbers : undefined, notNumbers };
}

function detectRole(profile: Profile, labels: Uint8Array): { role: ColumnRole; reason: string } {
  const { levels, nonBlank, cells } = profile;
  const rows = cells.length;
  if (levels.size <= 1) {
    const only = [...levels.keys()][0];
    return {
      role: "constant",
      reason:
        only === undefined
          ? "blank in every row"
          : `the same value ("${clip(only)}") in every ${nonBlank === rows ? "" : "non-blank "}row`,
    };
  }
  if (isBoolean(levels))
    return {
      role: "boolean",
      reason: `two values (${[...levels.keys()]
        .sort()
        .map((l) => `"${l}"`)
        .join(", ")})`,
    };
  const identifier = identifierReason(profile);
  if (identifier) return { role: "identifier", reason: identifier };
  if (profile.numbers) {
    const numbered = wholeNumberIdentifier(profile, labels);
    if (numbered?.identifier) return { role: "identifier", reason: numbered.reason };
    return { role: "numeric", reason: numericReason(profile) + (numbered ? `; ${numbered.reason}` : "") };
  }
  if (countMatching(levels, (l) => DATE.test(l)) >= DATE_SHARE * nonBlank) return dateRole(profile, labels);
  const freeText = freeTextReason(profile);
  if (freeText) return { role: "free_text", reason: freeText };
  return { role: "categorical", reason: `${levels.size} levels` };
}

function isBoolean(levels: Map<string, number>): boolean {
  if (levels.size !== 2) return false;
  const pair = [...levels.keys()].map((l) => l.toLowerCase()).sort();
  return BOOLEAN_PAIRS.some(([a, b]) => pair[0] === a && pair[1] === b);
}

function identifierReason({ name, levels, nonBlank, cells, numbers }: Profile): string | undefined {
  const unique = levels.size === nonBlank;
  if (unique && numbers && isRowCounter(numbers)) return "a row counter (consecutive whole numbers, one per row)";
  if (isIdName(name) && levels.size >= ID_DISTINCT_SHARE * nonBlank)
    return `named like an identifier, distinct in ${percent(levels.size, nonBlank)} of rows`;
  if (unique && !numbers && nonBlank === cells.length) return "a different value in every row";
  return undefined;
}

/**
 * Distinct whole numbers (CLIENTNUM, a member number with no id-like name): an identifier when
 * they have 9+ digits, or when no order of theirs tells churned from retained (both a rank AUC,
 * for a monotone relation, and a binned held-out AUC, for any other, within noise of 0.5). A
 * distinct whole number that ranks the label (seconds used, a balance in cents) stays a quantity,
 * and its reason says why. Undefined for anything else.
 */
function wholeNumberIdentifier(
  { cells, levels, nonBlank, numbers, notNumbers }: Profile,
  labels: Uint8Array,
): { identifier: boolean; reason: string } | undefined {
  if (!numbers || notNumbers.count > 0 || levels.size < UNIQUE_INTEGER_SHARE * nonBlank) return undefined;
  let digits = Infinity;
  for (let r = 0; r < cells.length; r++) {
    if (cells[r] === "") continue;
    if (!Number.isInteger(numbers[r])) return undefined;
    // Counted in the text, so zero-padded numbers (000123456) count their padding.
    digits = Math.min(digits, cells[r]!.replace(/\D/g, "").length);
  }
  const distinct = `whole numbers distinct in ${percent(levels.size, nonBlank)} of rows`;
  if (digits >= ID_DIGITS)
    return {
      identifier: true,
      reason: `${distinct}, each of ${digits}+ digits: an account or customer number, not a quantity`,
    };
  if (nonBlank < MIN_UNORDERED_ID_ROWS) return undefined;
  const order = labelOrder(numbers, labels);
  const aucs = `rank AUC ${order.rank.toFixed(3)}, binned held-out AUC ${order.binned.toFixed(3)}`;
  if (!order.ordered)
    return {
      identifier: true,
      reason: `${distinct} and unordered relative to the label (${aucs}): a number that names customers, not a quantity`,
    };
  return { identifier: false, reason: `${distinct}, kept as a quantity: ordered relative to the label (${aucs})` };
}

/** How a number column ranks the label, monotonically (rank AUC, blanks left out) and in any shape (columnAuc of 32 quantile bins), against the noise of a random column. */
function labelOrder(numbers: Float64Array, labels: Uint8Array): { rank: number; binned: number; ordered: boolean } {
  const kept: number[] = [];
  for (let r = 0; r < numbers.length; r++) if (!Number.isNaN(numbers[r])) kept.push(r);
  const keptLabels = Uint8Array.from(kept, (r) => labels[r]!);
  const rank = auc(
    Float64Array.from(kept, (r) => numbers[r]!),
    keptLabels,
  );
  const binned = columnAuc(...quantileCodes(numbers), labels);
  const positives = keptLabels.reduce((n, y) => n + y, 0);
  const allPositives = labels.reduce((n, y) => n + y, 0);
  // columnAuc scores the odd rows only: its noise is that of half the rows.
  const ordered =
    Math.abs(rank - 0.5) > ORDER_Z * randomAucError(positives, kept.length - positives) ||
    binned - 0.5 > ORDER_Z * randomAucError(allPositives / 2, (labels.length - allPositives) / 2);
  return { rank, binned, ordered };
}

/** The standard error of the AUC of a column unrelated to the label (Hanley & McNeil 1982, at AUC 0.5). */
function randomAucError(positives: number, negatives: number): number {
  return Math.sqrt((positives + negatives + 1) / (12 * Math.max(1, positives) * Math.max(1, negatives)));
}

/** Whole numbers that are a permutation of a consecutive run (1..n, or 0..n-1 with an offset). */
function isRowCounter(numbers: Float64Array): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const x of numbers) {
    if (!Number.isInteger(x)) return false;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return max - min === numbers.length - 1;
}

/** `customerID`, `Customer Id`, `account_uuid`, `RowNumber`: the last word of the name is id-like. */
function isIdName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.length > 0 && ID_WORDS.has(words[words.length - 1]!);
}

function numericReason({ notNumbers, nonBlank, cells }: Profile): string {
  const blanks = cells.length - nonBlank;
  const parts = ["numbers"];
  if (blanks > 0) parts.push(`${blanks} blank cell${blanks === 1 ? "" : "s"} read as missing`);
  if (notNumbers.count > 0) {
    const { row, cell } = notNumbers.first!;
    parts.push(
      `${notNumbers.count} cell${notNumbers.count === 1 ? "" : "s"} that are not numbers read as missing (first: row ${row}, "${clip(cell)}")`,
    );
  }
  return parts.join("; ");
}

function dateRole({ name, cells }: Profile, labels: Uint8Array): { role: ColumnRole; reason: string } {
  const filled = Float64Array.from(cells, (c) => (c === "" ? 0 : 1));
  if (columnAuc(filled, 2, labels) >= LEAKAGE_AUC)
    return {
      role: "leakage_suspect",
      reason: "a date that is filled in almost only for one class: known only once the customer has left",
    };
  if (END_WORDS.test(name))
    return {
      role: "leakage_suspect",
      reason: "a date named like the end of the relationship: known only once the customer has left",
    };
  return { role: "date", reason: "dates: left out (a calendar date does not carry over to future customers)" };
}

function freeTextReason({ levels, nonBlank }: Profile): string | undefined {
  if (levels.size >= ID_DISTINCT_SHARE * nonBlank)
    return `free text: distinct in ${percent(levels.size, nonBlank)} of rows`;
  if (levels.size <= FREE_TEXT_LEVELS) return undefined;
  let rareRows = 0;
  for (const count of levels.values()) if (count < RARE_LEVEL_ROWS) rareRows += count;
  if (rareRows <= nonBlank / 2) return undefined;
  return `free text: ${levels.size.toLocaleString("en-US")} distinct values, ${percent(rareRows, nonBlank)} of rows in values seen fewer than ${RARE_LEVEL_ROWS} times (too many levels to learn from)`;
}

function isInputRole(role: ColumnRole): boolean {
  switch (role) {
    case "numeric":
    case "categorical":
    case "boolean":
      return true;
    case "label":
    case "identifier":
    case "free_text":
    case "constant":
    case "leakage_suspect":
    case "date":
      return false;
    default:
      return assertNever(role);
  }
}

/** The typed column of a profile under an input role; undefined for roles that are left out. */
function typedInput(profile: Profile, role: ColumnRole): TableInput | undefined {
  switch (role) {
    case "numeric":
      return { role: "numeric", name: profile.name, label: factorLabel(profile.name), values: profile.numbers! };
    case "categorical":
    case "boolean":
      return categoricalInput(profile, role);
    case "label":
    case "identifier":
    case "free_text":
    case "constant":
    case "leakage_suspect":
    case "date":
      return undefined;
    default:
      return assertNever(role);
  }
}

/** A column kept by --input although detection left it out: numbers stay numbers, anything else is categorical. */
function forcedInput(profile: Profile): TableInput {
  return profile.numbers ? typedInput(profile, "numeric")! : categoricalInput(profile, "categorical");
}

function categoricalInput({ name, cells, levels }: Profile, role: "categorical" | "boolean"): TableInput {
  const categories = [...levels.keys()].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  return {
    role,
    name,
    label: factorLabel(name),
    categories,
    codes: Int32Array.from(cells, (c) => (c === "" ? -1 : index.get(c)!)),
  };
}

/** Why a typed column looks like leakage, or undefined. */
function leakage(input: TableInput, labels: Uint8Array): string | undefined {
  const score = columnAuc(...binned(input), labels);
  if (score < LEAKAGE_AUC) return undefined;
  return `alone predicts the label almost perfectly (held-out AUC ${score.toFixed(3)}): likely known only after churn; pass --input to use it anyway`;
}

/** The column as small integer codes (for columnAuc): levels as they are, numbers in quantile bins. */
function binned(input: TableInput): [Float64Array, number] {
  switch (input.role) {
    case "numeric":
      return quantileCodes(input.values);
    case "categorical":
    case "boolean":
      return [Float64Array.from(input.codes, (c) => c + 1), input.categories.length + 1];
    default:
      return assertNever(input);
  }
}

const LEAKAGE_BINS = 32;

function quantileCodes(values: Float64Array): [Float64Array, number] {
  const sorted = values.filter((x) => !Number.isNaN(x)).sort();
  const cuts = Array.from(
    { length: LEAKAGE_BINS - 1 },
    (_, k) => sorted[Math.floor(((k + 1) * sorted.length) / LEAKAGE_BINS)] ?? 0,
  );
  const codes = Float64Array.from(values, (x) => (Number.isNaN(x) ? 0 : 1 + cuts.filter((c) => c < x).length));
  return [codes, LEAKAGE_BINS + 1];
}

function countMatching(levels: Map<string, number>, test: (level: string) => boolean): number {
  let n = 0;
  for (const [level, count] of levels) if (test(level)) n += count;
  return n;
}

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}%`;
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}
