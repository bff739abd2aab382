import type { Readable } from "node:stream";
import { ellipsize } from "../bounded-text.ts";
import { CUSTOMER_ID, findColumn, isUnreadable, openCsv, resolveColumns } from "../csv/index.ts";
import { RetainwiseError } from "../errors.ts";
import type { RowError } from "../scoring/summary-types.ts";
import type { Outcome } from "./outcome.ts";

/** Rows per database write: one multi-row upsert each. */
export const OUTCOME_BATCH_ROWS = 1000;
/** Rejected rows listed in the answer; the counts cover every one. */
export const OUTCOME_ERRORS_KEPT = 100;
/** Same bound as the predictions' customer ids: longer is not an id but a pasted cell. */
const MAX_CUSTOMER_ID_LENGTH = 200;

const CHURNED_VALUES = new Map([
  ["yes", true], ["no", false], ["1", true], ["0", false], ["true", true], ["false", false],
]);

export interface ReadOutcomesResult {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowErrors: RowError[];
}

/**
 * Streams an outcome CSV (`customer_id,churned[,observed_at]`, headers matched through the alias
 * table) and hands `onBatch` the valid rows in batches, each customer once per batch (its latest
 * observation). A bad row is counted and reported, never fatal; a file that is not CSV or lacks a
 * required column rejects with the reader's `RetainwiseError`. `observed_at` blank or absent: `now`.
 *
 * @example
 *   const result = await readOutcomes(body, (batch) => repo.upsert(accountId, uploadId, batch));
 */
export async function readOutcomes(input: Readable, onBatch: (outcomes: Outcome[]) => Promise<void>, now = new Date()): Promise<ReadOutcomesResult> {
  const source = await openCsv(input);
  const columns = resolveColumns(source.headers, [CUSTOMER_ID, "churned"]);
  const layout = { id: columns.get(CUSTOMER_ID)!, churned: columns.get("churned")!, observedAt: findColumn(source.headers, "observedAt"), width: source.headers.length };
  const result: ReadOutcomesResult = { rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, rowErrors: [] };
  let batch = new Map<string, Outcome>();
  for (;;) {
    const next = await source.records.next();
    if (next.done) break;
    result.rowsRead++;
    const parsed = parseRow(next.value, layout, now);
    if (typeof parsed === "string") {
      result.rowsRejected++;
      if (result.rowErrors.length < OUTCOME_ERRORS_KEPT) result.rowErrors.push({ row: result.rowsRead, customerId: ellipsize((next.value[layout.id] ?? "").trim()), reason: parsed });
      continue;
    }
    result.rowsAccepted++;
    const earlier = batch.get(parsed.customerId);
    if (!earlier || earlier.observedAt <= parsed.observedAt) batch.set(parsed.customerId, parsed);
    if (batch.size >= OUTCOME_BATCH_ROWS) {
      await onBatch([...batch.values()]);
      batch = new Map();
    }
  }
  if (batch.size > 0) await onBatch([...batch.values()]);
  if (result.rowsRead === 0) throw new RetainwiseError("csv.no_rows", "The file has a header row but no outcome rows. Add one row per customer: customer_id,churned[,observed_at].");
  return result;
}

interface Layout {
  id: number;
  churned: number;
  observedAt: number | undefined;
  width: number;
}

/** The row's outcome, or why it cannot be read. */
function parseRow(record: string[], layout: Layout, now: Date): Outcome | string {
  if (isUnreadable(record)) return record.unreadable;
  if (record.length !== layout.width) return `the row has ${record.length} field${record.length === 1 ? "" : "s"} but the header has ${layout.width}`;
  const customerId = record[layout.id]!.trim();
  if (customerId === "") return "the customer id is blank";
  if (customerId.length > MAX_CUSTOMER_ID_LENGTH) return `the customer id is longer than ${MAX_CUSTOMER_ID_LENGTH} characters`;
  const churnedText = record[layout.churned]!.trim();
  const churned = CHURNED_VALUES.get(churnedText.toLowerCase());
  if (churned === undefined) return `churned "${shorten(churnedText)}" is not one of yes, no, 1, 0, true, false`;
  const observedText = layout.observedAt === undefined ? "" : record[layout.observedAt]!.trim();
  const observedAt = observedText === "" ? now : new Date(observedText);
  if (Number.isNaN(observedAt.getTime())) return `observed_at "${shorten(observedText)}" is not a date (use 2026-11-30 or 2026-11-30T14:00:00Z)`;
  if (observedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) return `observed_at "${shorten(observedText)}" is in the future`;
  return { customerId, churned, observedAt };
}

/** An observation a few minutes ahead is a client clock, not a prophecy. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function shorten(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}
