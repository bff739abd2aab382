import type { NumericColumn, TrainingTable } from "../table.ts";

/** A candidate derived input: the sum of numeric inputs of the table whose names share a word (a unit). */
export interface SumCandidate {
  name: string;
  label: string;
  /** Indexes of the table's numeric inputs it adds up, in table order. */
  sumOf: number[];
}

/**
 * Sums worth trying as inputs: for every word shared by the names of two or more numeric inputs
 * (`total_day_charge`, `total_eve_charge`… share `charge`; `YearsAtCompany`, `TotalWorkingYears`
 * share `years`), the sum of those inputs. Columns named with the same unit often add up to a
 * quantity the label follows (a total bill) that no single column or pair expresses. Only
 * candidates: the fit keeps one only when held-out rows say it helps (`keptTerms`).
 *
 * @example sumCandidates(table) // [{ name: "total_day_charge+total_eve_charge", label: "Total charge (day + eve)", sumOf: [2, 5] }]
 */
export function sumCandidates(table: TrainingTable): SumCandidate[] {
  // A ratio or an average does not add up with anything, whatever its name shares.
  const numeric = table.inputs.flatMap((input, i) =>
    input.role === "numeric" && !nameWords(input.name).some((w) => NOT_ADDITIVE.has(w)) ? [i] : [],
  );
  const byWord = new Map<string, number[]>();
  for (const i of numeric)
    for (const word of new Set(nameWords(table.inputs[i]!.name)))
      if (!NOT_A_UNIT.has(word)) byWord.set(word, [...(byWord.get(word) ?? []), i]);
  const seen = new Set<string>();
  const candidates: SumCandidate[] = [];
  for (const sumOf of byWord.values()) {
    const key = sumOf.join(",");
    if (sumOf.length < 2 || seen.has(key)) continue;
    seen.add(key);
    const columns = sumOf.map((i) => table.inputs[i]!);
    candidates.push({
      name: columns.map((c) => c.name).join("+"),
      label: sumLabel(columns.map((c) => c.label)),
      sumOf,
    });
  }
  return candidates;
}

/** The table with each candidate appended as a numeric input: the float32 sum of the float32 values, as the scorer computes it. */
export function withSums(table: TrainingTable, candidates: readonly SumCandidate[]): TrainingTable {
  const sums = candidates.map((candidate): NumericColumn => {
    const columns = candidate.sumOf.map((i) => (table.inputs[i] as NumericColumn).values);
    const values = new Float64Array(table.rows);
    for (let r = 0; r < table.rows; r++) {
      let sum = 0;
      for (const column of columns) sum = Math.fround(sum + Math.fround(column[r]!));
      values[r] = sum;
    }
    return { role: "numeric", name: candidate.name, label: candidate.label, values };
  });
  return { ...table, inputs: [...table.inputs, ...sums] };
}

/**
 * Words a name shares with others that say nothing of its unit (`Total_Relationship_Count` and
 * `Total_Revolving_Bal` share "total", not a unit; issue 21 saw that sum in every reason).
 */
const NOT_A_UNIT = new Set([
  "total",
  "sum",
  "num",
  "number",
  "no",
  "nb",
  "of",
  "the",
  "is",
  "has",
  "in",
  "on",
  "per",
  "at",
  "by",
  "to",
  "and",
  "or",
  "last",
  "first",
  "current",
  "prev",
  "previous",
  "new",
  "old",
  "max",
  "min",
  "customer",
  "client",
  "account",
  "user",
]);
/** Words that mark a column as a ratio, rate, share or average: never a term of a sum. */
const NOT_ADDITIVE = new Set([
  "ratio",
  "rate",
  "pct",
  "percent",
  "percentage",
  "share",
  "avg",
  "average",
  "mean",
  "chng",
  "change",
  "util",
  "utilization",
  "score",
  "index",
  "age",
  "year",
  "yr",
  "id",
]);

/** Lower-case words of a column name (`snake_case`, `camelCase`, spaces), at least two letters, not numbers. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !/^\d+$/.test(w));
}

/** "Total charge (day + eve + night + intl)" from "Total day charge", "Total eve charge"…: the shared words, then what differs. */
function sumLabel(labels: string[]): string {
  const words = labels.map((l) => l.split(/\s+/).filter(Boolean));
  const shared = words[0]!.filter((w) => words.every((ws) => ws.some((x) => x.toLowerCase() === w.toLowerCase())));
  const isShared = (w: string) => shared.some((s) => s.toLowerCase() === w.toLowerCase());
  const rest = words.map((ws) => ws.filter((w) => !isShared(w)).join(" ") || ws.join(" "));
  const subject = shared
    .filter((w) => w.toLowerCase() !== "total")
    .join(" ")
    .toLowerCase();
  return `Total ${subject} (${rest.join(" + ")})`.replace("Total  (", "Total (");
}
