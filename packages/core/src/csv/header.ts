import { parse } from "csv-parse/sync";
import { RetainwiseError } from "../errors.ts";
import { closestHeaders, normalizeHeader } from "./columns.ts";
import type { Head } from "./reader.ts";
import { firstRecordEnd } from "./records.ts";
import { sniffCsv } from "./sniff.ts";

/**
 * The header row of a CSV from its first bytes alone (the head `readHead` read), so an upload can be
 * checked before it is stored and then streamed on with `replay(head)`.
 */
export function headerRow(head: Head): string[] {
  const { delimiter } = sniffCsv(head.head, head.complete);
  const end = firstRecordEnd(head.head, delimiter.charCodeAt(0));
  if (end < 0 && !head.complete) {
    throw new RetainwiseError("csv.header_too_long", "The header row is longer than 64 KiB. Check that the file has a header row with one name per column.");
  }
  const [header] = parse(end < 0 ? head.head : head.head.subarray(0, end), { delimiter, bom: true, relax_column_count: true, to_line: 1 }) as string[][];
  return (header ?? []).map((name) => name.trim());
}

/**
 * The header naming `label`: the exact name, else the one equal ignoring case and punctuation
 * (`Churn` finds `churn`). Throws naming the closest columns when there is none.
 */
export function findLabelColumn(headers: readonly string[], label: string): string {
  if (headers.includes(label)) return label;
  const match = headers.find((h) => normalizeHeader(h) === normalizeHeader(label));
  if (match !== undefined) return match;
  const close = closestHeaders(label, headers);
  const listed = headers.filter((h) => h !== "").slice(0, 30).map((h) => `"${h}"`).join(", ");
  throw new RetainwiseError(
    "train.missing_label",
    `The file has no label column '${label}'${close.length > 0 ? `; closest: ${close.map((h) => `"${h}"`).join(", ")}` : ""}. ` +
      `Name the column that says whether each customer churned (label=COLUMN). Columns: ${listed || "none"}.`,
  );
}
