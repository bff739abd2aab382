import { ellipsize, listWithMore } from "../bounded-text.ts";
import { RetainwiseError } from "../errors.ts";

/**
 * Header matching. Customers export from billing systems, CRMs and spreadsheets, so the same column
 * arrives as `TotalCharges`, `total_charges`, `Total Charges` or `ltv`. Headers are compared after
 * `normalizeHeader` (case, spaces and punctuation dropped), then through this table.
 *
 * THE alias table: canonical column name -> other names it may arrive under. Add aliases here only.
 */
export const COLUMN_ALIASES: Readonly<Record<string, readonly string[]>> = {
  customerID: ["customer_id", "id", "account_id", "user_id"],
  tenure: ["months_subscribed", "account_age"],
  MonthlyCharges: ["mrr", "monthly_fee"],
  TotalCharges: ["ltv", "total_revenue"],
  Contract: ["plan", "plan_type", "billing_cycle"],
  // Outcome uploads (POST /v1/outcomes): what happened to each customer, and when it was known.
  churned: ["churn", "has_churned", "outcome", "left"],
  observedAt: ["observed", "churned_at", "churn_date", "outcome_date"],
};

/** The canonical name of the customer id column; a file without one has its rows numbered instead. */
export const CUSTOMER_ID = "customerID";

/** `Total Charges`, `total_charges`, `TOTAL-CHARGES` -> `totalcharges` */
export function normalizeHeader(header: string): string {
  return header
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
}

/** For each wanted column, the index of the header that supplies it (exact normalized name first, then aliases). */
export function resolveColumns(headers: readonly string[], wanted: readonly string[]): Map<string, number> {
  assertNoDuplicateHeaders(headers);
  const normalized = headers.map(normalizeHeader);
  const resolved = new Map<string, number>();
  for (const name of wanted) {
    const index = indexOfColumn(normalized, name);
    if (index !== undefined) resolved.set(name, index);
  }
  if (resolved.size < wanted.length)
    throw missingColumnsError(
      wanted.filter((name) => !resolved.has(name)),
      wanted,
      headers,
      normalized,
    );
  return resolved;
}

/** The wanted columns no header supplies (matched as `resolveColumns` does), in `wanted`'s order. */
export function missingColumns(headers: readonly string[], wanted: readonly string[]): string[] {
  const normalized = headers.map(normalizeHeader);
  return wanted.filter((name) => indexOfColumn(normalized, name) === undefined);
}

/** The index of the header that supplies `name` (exact normalized name first, then aliases), if any. */
export function findColumn(headers: readonly string[], name: string): number | undefined {
  return indexOfColumn(headers.map(normalizeHeader), name);
}

function indexOfColumn(normalized: readonly string[], name: string): number | undefined {
  for (const candidate of [name, ...(COLUMN_ALIASES[name] ?? [])].map(normalizeHeader)) {
    const index = normalized.indexOf(candidate);
    if (index >= 0) return index;
  }
  return undefined;
}

/** Throws `csv.duplicate_headers` when two headers name one column (compared as `normalizeHeader` does). */
export function assertNoDuplicateHeaders(headers: readonly string[]): void {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const header of headers) {
    const key = normalizeHeader(header);
    if (key === "") continue;
    const first = seen.get(key);
    if (first !== undefined)
      duplicates.push(first === header ? quoted(header) : `${quoted(first)} and ${quoted(header)}`);
    else seen.set(key, header);
  }
  if (duplicates.length > 0) {
    throw new RetainwiseError(
      "csv.duplicate_headers",
      `The header row names the same column more than once: ${listWithMore(duplicates)}. Rename or remove the duplicates so each column appears once.`,
    );
  }
}

function missingColumnsError(
  missing: string[],
  wanted: readonly string[],
  headers: readonly string[],
  normalized: readonly string[],
): RetainwiseError {
  const hints = missing.map((name) => {
    const close = closestHeaders(name, headers, normalized);
    return close.length > 0 ? `${name} (closest: ${close.map(quoted).join(", ")})` : name;
  });
  const found = headers.filter((h) => h.trim() !== "").map(quoted);
  return new RetainwiseError(
    "csv.missing_columns",
    `The file is missing ${missing.length === 1 ? "a required column" : `${missing.length} required columns`}: ${hints.join("; ")}. ` +
      // When none is there, the required list would only repeat the missing one.
      `${missing.length < wanted.length ? `Required columns: ${wanted.join(", ")}. ` : ""}Found: ${found.length > 0 ? listWithMore(found) : "none"}.`,
  );
}

function quoted(header: string): string {
  return `"${ellipsize(header)}"`;
}

/** Up to 2 headers within an edit distance of a third of the name's length. */
export function closestHeaders(
  name: string,
  headers: readonly string[],
  normalized: readonly string[] = headers.map(normalizeHeader),
): string[] {
  const target = normalizeHeader(name);
  const limit = Math.max(2, Math.floor(target.length / 3));
  return (
    headers
      .map((header, i) => ({ header, normalized: normalized[i]! }))
      // The distance is at least the difference in length: skip the quadratic work for headers that cannot be close.
      .filter((c) => Math.abs(c.normalized.length - target.length) <= limit)
      .map(({ header, normalized }) => ({ header, distance: editDistance(target, normalized) }))
      .filter((c) => c.distance <= limit)
      .sort((a, b) => a.distance - b.distance)
      .slice(0, 2)
      .map((c) => c.header)
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
