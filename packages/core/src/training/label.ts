import { closestHeaders, normalizeHeader } from "../csv/columns.ts";
import { RetainwiseError, type ErrorCode } from "../errors.ts";

/** The rarer class needs at least this many rows: below it, every held-out metric and bin is noise. */
export const MIN_CLASS_ROWS = 20;

/**
 * Words of a label value that read as churned, and as retained (compared case-insensitively, word
 * by word: "Attrited Customer" reads as churned, "Existing Customer" as retained). A negation before
 * a word turns it: "Not churned", "Non-churner", "No churn" read as retained, "Not active" as churned.
 */
const CHURN_WORDS = new Set([
  "yes",
  "true",
  "churn",
  "churned",
  "churner",
  "churning",
  "attrited",
  "attrition",
  "attrite",
  "cancelled",
  "canceled",
  "cancel",
  "cancellation",
  "left",
  "leaver",
  "closed",
  "exited",
  "exit",
  "inactive",
  "lost",
  "terminated",
  "gone",
  "departed",
  "quit",
  "lapsed",
  "discontinued",
]);
const RETAINED_WORDS = new Set([
  "no",
  "false",
  "existing",
  "active",
  "stayed",
  "stay",
  "stayer",
  "retained",
  "retain",
  "current",
  "remained",
  "renewed",
  "open",
  "kept",
  "loyal",
]);
const NEGATIONS = new Set(["not", "non", "never", "no"]);
/** Read only as a whole value: as a word, "1" or "t" is as likely a tier or a grade ("Tier 1"). */
const CHURN_VALUES = new Set(["1", "1.0", "y", "t"]);
const RETAINED_VALUES = new Set(["0", "0.0", "n", "f"]);

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

function findColumnOrFail(
  headers: readonly string[],
  name: string,
  code: ErrorCode,
  what: string,
  flag: string,
): never {
  const close = closestHeaders(name, headers);
  const hint = close.length > 0 ? ` Did you mean ${close.map((h) => `"${h}"`).join(" or ")}?` : "";
  const shown =
    headers
      .slice(0, 20)
      .map((h) => `"${h}"`)
      .join(", ") + (headers.length > 20 ? ` and ${headers.length - 20} more` : "");
  throw new RetainwiseError(
    code,
    `The training file has no ${what} "${name}".${hint} Its columns: ${shown}. Name it with ${flag}.`,
  );
}

/**
 * Which label value means churn, after checking the label has two usable classes: `positive` when
 * given (matched trimmed, then case-insensitively; any other value is "stayed"), else of two values
 * the one that reads as churned (Yes, 1, true, Churned, Attrited Customer, Exited…), or the other
 * of one that reads as retained (No, 0, Existing Customer, Active…); when neither or both do, a
 * `train.unknown_positive` error lists both values with how to name either.
 *
 * @example decidePositive("Churn", ["Yes", "No", "No"]) // "Yes" (then fails: fewer than 20 rows)
 */
export function decidePositive(column: string, labels: readonly string[], positive?: string): string {
  const counts = countValues(labels);
  const values = [...counts.keys()];
  if (values.length === 1) {
    throw new RetainwiseError(
      "train.one_class",
      `Every row has ${column} = "${values[0]}": a churn model needs churned and retained customers. Add rows of the other class.`,
    );
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
  const readings = values.map(readLabelValue);
  const churned = values.filter((_, i) => readings[i] === "churned");
  const retained = values.filter((_, i) => readings[i] === "retained");
  if (churned.length === 1) return churned[0]!;
  if (churned.length === 0 && retained.length === 1) return values.find((v) => v !== retained[0])!;
  const [a, b] = [...counts].sort((x, y) => y[1] - x[1]);
  const why =
    churned.length === 2
      ? "both read as churned"
      : retained.length === 2
        ? "both read as retained"
        : "neither reads as churned or retained";
  throw new RetainwiseError(
    "train.unknown_positive",
    `Cannot tell which ${column} value means churned: ${describeValue(a!)} or ${describeValue(b!)} (${why}). ` +
      `Pass --positive "${a![0]}" if "${a![0]}" means churned (then "${b![0]}" means retained), or --positive "${b![0]}" if "${b![0]}" means churned ` +
      `(through the API or the web page, the same value as positive).`,
  );
}

/**
 * What a label value says about the customer, word by word: `churned` ("Attrited Customer",
 * "Churned", "Yes", "1"), `retained` ("Existing Customer", "Active", "No", "0"), or `unknown`
 * (no such word, or words of both).
 *
 * @example readLabelValue("Attrited Customer") // "churned"
 * @example readLabelValue("Not churned") // "retained"
 */
export function readLabelValue(value: string): "churned" | "retained" | "unknown" {
  const whole = value.trim().toLowerCase();
  if (CHURN_VALUES.has(whole)) return "churned";
  if (RETAINED_VALUES.has(whole)) return "retained";
  const words = whole.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const seen = new Set<"churned" | "retained">();
  words.forEach((word, i) => {
    const reading = wordReading(word);
    // A negation is a word of its own only when no reading follows it ("No" alone reads as retained).
    if (reading === undefined || (NEGATIONS.has(word) && wordReading(words[i + 1]) !== undefined)) return;
    const negated = i > 0 && NEGATIONS.has(words[i - 1]!);
    seen.add(negated ? (reading === "churned" ? "retained" : "churned") : reading);
  });
  return seen.size === 1 ? [...seen][0]! : "unknown";
}

function wordReading(word: string | undefined): "churned" | "retained" | undefined {
  if (word === undefined) return undefined;
  return CHURN_WORDS.has(word) ? "churned" : RETAINED_WORDS.has(word) ? "retained" : undefined;
}

function describeValue([value, rows]: [string, number]): string {
  return `"${value}" (${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"})`;
}

function matchPositive(column: string, counts: Map<string, number>, positive: string): string {
  const wanted = positive.trim();
  const values = [...counts.keys()];
  const match = values.find((v) => v === wanted) ?? values.find((v) => v.toLowerCase() === wanted.toLowerCase());
  if (match === undefined) {
    throw new RetainwiseError(
      "train.unknown_positive",
      `No row has ${column} = "${wanted}" (--positive). The column holds ${listValues(counts)}.`,
    );
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
