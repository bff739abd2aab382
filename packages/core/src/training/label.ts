import { closestHeaders, normalizeHeader } from "../csv/columns.ts";
import { RetainwiseError, type ErrorCode } from "../errors.ts";

/** The rarer class needs at least this many rows: below it, every held-out metric and bin is noise. */
export const MIN_CLASS_ROWS = 20;

/** Label values read as "churned" when --positive is not given (compared case-insensitively). */
const POSITIVE_WORDS = ["yes", "y", "true", "t", "1", "churn", "churned", "exited", "left", "lost", "cancelled", "canceled"];

/**
 * The label column among the headers, matched as the scorer matches headers (case, spaces and
 * punctuation ignored), or a `train.missing_label` error naming the closest headers.
 */
export function findLabelColumn(headers: readonly string[], label: string): number {
  const wanted = normalizeHeader(label);
  const index = headers.findIndex((h) => normalizeHeader(h) === wanted);
  if (index >= 0) return index;
  return findColumnOrFail(headers, label, "train.missing_label", "label column", "--label");
}

/** A column named on the command line (--input, --exclude), matched like the label. */
export function findNamedColumn(headers: readonly string[], name: string, flag: string): number {
  const index = headers.findIndex((h) => normalizeHeader(h) === normalizeHeader(name));
  return index >= 0 ? index : findColumnOrFail(headers, name, "train.unknown_column", "column", flag);
}

function findColumnOrFail(headers: readonly string[], name: string, code: ErrorCode, what: string, flag: string): never {
  const close = closestHeaders(name, headers);
  const hint = close.length > 0 ? ` Did you mean ${close.map((h) => `"${h}"`).join(" or ")}?` : "";
  const shown = headers.slice(0, 20).map((h) => `"${h}"`).join(", ") + (headers.length > 20 ? ` and ${headers.length - 20} more` : "");
  throw new RetainwiseError(code, `The training file has no ${what} "${name}".${hint} Its columns: ${shown}. Name it with ${flag}.`);
}

/**
 * Which label value means churn, after checking the label has two usable classes: `positive` when
 * given (matched trimmed, then case-insensitively; any other value is "stayed"), else the one of
 * two values that reads as churn (Yes, 1, true, Churned, Exited…).
 *
 * @example decidePositive("Churn", ["Yes", "No", "No"]) // "Yes" (then fails: fewer than 20 rows)
 */
export function decidePositive(column: string, labels: readonly string[], positive?: string): string {
  const counts = countValues(labels);
  const values = [...counts.keys()];
  if (values.length === 1) {
    throw new RetainwiseError("train.one_class", `Every row has ${column} = "${values[0]}": a churn model needs churned and retained customers. Add rows of the other class.`);
  }
  const chosen = positive === undefined ? guessPositive(column, counts) : matchPositive(column, counts, positive);
  const positives = counts.get(chosen)!;
  const rarer = Math.min(positives, labels.length - positives);
  if (rarer < MIN_CLASS_ROWS) {
    const which = positives === rarer ? `churned (${column} = "${chosen}")` : "retained";
    throw new RetainwiseError(
      "train.too_few_rows_of_class",
      `Only ${rarer} ${which} customer${rarer === 1 ? "" : "s"} in the file; training needs at least ${MIN_CLASS_ROWS} of each class. Add more history.`,
    );
  }
  return chosen;
}

function guessPositive(column: string, counts: Map<string, number>): string {
  const values = [...counts.keys()];
  if (values.length > 2) {
    throw new RetainwiseError(
      "train.label_classes",
      `The ${column} column holds ${values.length} values (${listValues(counts)}), not two classes. ` +
        `Pass --positive VALUE to count that value as churn and every other value as retained.`,
    );
  }
  const found = values.filter((v) => POSITIVE_WORDS.includes(v.toLowerCase()));
  if (found.length !== 1) {
    throw new RetainwiseError(
      "train.unknown_positive",
      `Cannot tell which ${column} value means churn: it holds ${listValues(counts)}. Pass --positive VALUE (e.g. --positive "${values[0]}").`,
    );
  }
  return found[0]!;
}

function matchPositive(column: string, counts: Map<string, number>, positive: string): string {
  const wanted = positive.trim();
  const values = [...counts.keys()];
  const match = values.find((v) => v === wanted) ?? values.find((v) => v.toLowerCase() === wanted.toLowerCase());
  if (match === undefined) {
    throw new RetainwiseError("train.unknown_positive", `No row has ${column} = "${wanted}" (--positive). The column holds ${listValues(counts)}.`);
  }
  return match;
}

function countValues(labels: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

/** `"No" (4,130 rows), "Yes" (1,496 rows)`, most frequent first, at most 10. */
function listValues(counts: Map<string, number>): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, 10).map(([v, n]) => `"${v}" (${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"})`);
  return shown.join(", ") + (sorted.length > 10 ? ` and ${sorted.length - 10} more` : "");
}
