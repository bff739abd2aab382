import { parse } from "csv-parse/sync";
import { lastRecordEnd } from "./records.ts";
import type { Delimiter } from "./sniff.ts";

/** Records read from the head to decide a file's number format: enough to see both kinds of numbers. */
export const SAMPLE_RECORDS = 1000;

/**
 * The data records in the head of a file (header dropped, a record cut off at the end of a partial
 * head dropped, unreadable records skipped), for decisions made once per file such as its number
 * format (numbers.ts).
 */
export function headRecords(head: Buffer, complete: boolean, delimiter: Delimiter, limit = SAMPLE_RECORDS): string[][] {
  const end = complete ? head.length : lastRecordEnd(head, delimiter.charCodeAt(0));
  if (end <= 0) return [];
  let records: string[][];
  try {
    records = parse(head.subarray(0, end), {
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      to_line: limit + 1,
    }) as string[][];
  } catch {
    // A head the sample cannot read (an unclosed quote) fails the file in the real reader, with the row named.
    return [];
  }
  return records.slice(1);
}
