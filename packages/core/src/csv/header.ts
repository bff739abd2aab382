import { parse } from "csv-parse/sync";
import { RetainwiseError } from "../errors.ts";
import { closestHeaders, normalizeHeader } from "./columns.ts";
import type { Readable } from "node:stream";
import { readHead, type Head } from "./reader.ts";
import { firstRecordEnd } from "./records.ts";
import { sniffCsv, startsWithBom, type Delimiter } from "./sniff.ts";

/**
 * The head of an upload read only as far as its header row (at most SNIFF_BYTES): an upload is
 * checked on its header without waiting for 64 KiB, so a small or slow one streams on to the store
 * as it arrives. Continue with `replay(head)`.
 */
export function readHeader(input: Readable): Promise<Head> {
  return readHead(input, (bytes) => {
    try {
      return headerEnd(bytes, sniffCsv(bytes, false).delimiter) >= 0;
    } catch {
      return false; // blank so far, or not text: headerRow says which once the head is read
    }
  });
}

/**
 * The header row of a CSV from its first bytes alone (the head `readHead` or `readHeader` read), so
 * an upload can be checked before it is stored and then streamed on with `replay(head)`. Blank
 * lines before it are skipped, as the reader skips them.
 */
export function headerRow(head: Head): string[] {
  const { delimiter } = sniffCsv(head.head, head.complete);
  const end = headerEnd(head.head, delimiter);
  if (end < 0 && !head.complete) {
    throw new RetainwiseError(
      "csv.header_too_long",
      "The header row is longer than 64 KiB. Check that the file has a header row with one name per column.",
    );
  }
  const [header] = parse(end < 0 ? head.head : head.head.subarray(0, end), {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    to: 1,
  }) as string[][];
  return (header ?? []).map((name) => name.trim());
}

/** Offset just past the header row (after any blank lines), or -1 when `bytes` does not hold all of it. */
function headerEnd(bytes: Buffer, delimiter: Delimiter): number {
  let start = startsWithBom(bytes) ? 3 : 0;
  while (bytes[start] === 0x0a || bytes[start] === 0x0d) start++;
  return firstRecordEnd(bytes, delimiter.charCodeAt(0), start);
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
  const listed = headers
    .filter((h) => h !== "")
    .slice(0, 30)
    .map((h) => `"${h}"`)
    .join(", ");
  throw new RetainwiseError(
    "train.missing_label",
    `The file has no label column '${label}'${close.length > 0 ? `; closest: ${close.map((h) => `"${h}"`).join(", ")}` : ""}. ` +
      `Name the column that says whether each customer churned (label=COLUMN). Columns: ${listed || "none"}.`,
  );
}

/** `RETAINWISE_MAX_COLUMNS`' default: Telco has 21 columns; 500 rows x 5,000 columns once took 2.84 GB to train. */
export const DEFAULT_MAX_COLUMNS = 1_000;

/**
 * Refuses a header wider than `max` columns (`csv.too_many_columns`), naming the cap and the
 * file's count. Uploads to score and to train are checked before anything is stored: a wide file
 * costs the trainer memory and time per column, and nothing here reads thousands of them.
 *
 * @example
 *   checkColumnCount(headerRow(head), 1_000) // throws for a 5,000-column file
 */
export function checkColumnCount(headers: readonly string[], max = DEFAULT_MAX_COLUMNS): void {
  if (headers.length <= max) return;
  throw new RetainwiseError(
    "csv.too_many_columns",
    `The file has ${headers.length.toLocaleString("en-US")} columns; at most ${max.toLocaleString("en-US")} are accepted (the column cap). Keep the customer id, the columns the model reads (and, to train, the label) and remove the rest.`,
    { details: { columns: headers.length, maxColumns: max } },
  );
}
