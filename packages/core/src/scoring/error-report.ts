import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { csvLine } from "./output.ts";

/**
 * The error report: one line per row that could not be scored, written beside the scored file as
 * scoring goes (scoreCsv's `errors` option), so it exists for a job that failed on too many bad rows
 * too. Rows are 1-based data rows (header excluded), as in the scored file's `error` column.
 */
export const ERROR_REPORT_COLUMNS = ["row", "customer_id", "error"] as const;
export const ERROR_REPORT_HEADER = csvLine(ERROR_REPORT_COLUMNS);

/**
 * The header and the first `limit` rows of an error report, as CSV text; stops reading there.
 *
 * @example
 *   const first20 = await errorReportHead(await store.get(key), 20);
 */
export async function errorReportHead(report: Readable, limit: number): Promise<string> {
  const rows: string[][] = [];
  const parser = report.pipe(parse({ relax_column_count: true, to: limit + 1 }));
  for await (const record of parser as AsyncIterable<string[]>) rows.push(record);
  report.destroy();
  // Cells were made spreadsheet-safe when written; csvLine leaves a leading ' as it is.
  return rows.map(csvLine).join("");
}
