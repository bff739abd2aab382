import { csvLine } from "./output.ts";
import type { RowError } from "./summary-types.ts";

/**
 * The error report: one line per row that could not be scored, written beside the scored file as
 * scoring goes (scoreCsv's `errors` option), so it exists for a job that failed on too many bad rows
 * too. Rows are 1-based data rows (header excluded), as in the scored file's `error` column.
 */
export const ERROR_REPORT_COLUMNS = ["row", "customer_id", "error"] as const;
export const ERROR_REPORT_HEADER = csvLine(ERROR_REPORT_COLUMNS);

/**
 * The header and the first `limit` of `rows` as the report has them: a summary's (or a failed
 * job's) `rowErrors`, the report's first lines, so its preview needs no read of the report itself.
 *
 * @example
 *   const first20 = errorReportPreview(prediction.metrics.rowErrors, 20);
 */
export function errorReportPreview(rows: readonly RowError[], limit: number): string {
  let text = ERROR_REPORT_HEADER;
  for (const error of rows.slice(0, limit)) text += csvLine([String(error.row), error.customerId, error.reason]);
  return text;
}
