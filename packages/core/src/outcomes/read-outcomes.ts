import type { Readable } from "node:stream";
import { customerIdProblem, ellipsize } from "../bounded-text.ts";
import { isUnreadable, openCsv } from "../csv/index.ts";
import { RetainwiseError } from "../errors.ts";
import type { RowError } from "../scoring/summary-types.ts";
import type { Outcome } from "./outcome.ts";
import { outcomeLayout, type OutcomeLayout, type OutcomeVocabulary } from "./outcome-columns.ts";

/** Rows per database write: one multi-row upsert each. */
export const OUTCOME_BATCH_ROWS = 1000;
/** Rejected rows listed in the answer; the counts cover every one. */
export const OUTCOME_ERRORS_KEPT = 100;

const CHURNED_VALUES = new Map([
  ["yes", true],
  ["no", false],
  ["1", true],
  ["0", false],
  ["true", true],
  ["false", false],
]);

export interface ReadOutcomesResult {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowErrors: RowError[];
  /** Which columns were read, and in whose words (a model's label column, its churned and stayed values). */
  matched: OutcomeMatch;
}

export interface OutcomeMatch {
  customerId: string;
  churned: string;
  observedAt: string | null;
  /** The model whose label column was matched; null: a generic `churned` column (yes/no, 1/0, true/false). */
  model: string | null;
  churnedValue: string | null;
  /** The label's other value, as the file writes it (a model's label has two); null until seen or when generic. */
  stayedValue: string | null;
}

export interface ReadOutcomesOptions {
  /** The account's models' words for outcomes, newest first (outcome-columns.ts). */
  vocabularies?: readonly OutcomeVocabulary[];
  now?: Date;
}

/**
 * Streams an outcome CSV (`customer_id,churned[,observed_at]`, headers matched through the alias
 * table, or in a model's own words: its label column and churned value, its id column) and hands
 * `onBatch` the valid rows in batches, each customer once per batch (its latest observation). A bad
 * row is counted and reported; a file that is not CSV, lacks a required column, or has no row that
 * can be accepted rejects with a `RetainwiseError` (`outcomes.none_accepted` lists the rows' problems).
 * `observed_at` blank or absent: `now`.
 *
 * @example
 *   const result = await readOutcomes(body, (batch) => repo.upsert(accountId, uploadId, batch), { vocabularies });
 */
export async function readOutcomes(
  input: Readable,
  onBatch: (outcomes: Outcome[]) => Promise<void>,
  { vocabularies = [], now = new Date() }: ReadOutcomesOptions = {},
): Promise<ReadOutcomesResult> {
  const source = await openCsv(input);
  const layout = outcomeLayout(source.headers, vocabularies);
  const churnedOf = churnedReader(layout);
  const result: ReadOutcomesResult = {
    rowsRead: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    rowErrors: [],
    matched: matchOf(source.headers, layout),
  };
  let batch = new Map<string, Outcome>();
  for (;;) {
    const next = await source.records.next();
    if (next.done) break;
    result.rowsRead++;
    const parsed = parseRow(next.value, layout, churnedOf, now);
    if (typeof parsed === "string") {
      result.rowsRejected++;
      if (result.rowErrors.length < OUTCOME_ERRORS_KEPT)
        result.rowErrors.push({
          row: result.rowsRead,
          customerId: ellipsize((next.value[layout.id] ?? "").trim()),
          reason: parsed,
        });
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
  if (result.rowsRead === 0)
    throw new RetainwiseError(
      "csv.no_rows",
      "The file has a header row but no outcome rows. Add one row per customer: customer_id,churned[,observed_at].",
    );
  if (result.rowsAccepted === 0) throw noneAccepted(result);
  return { ...result, matched: { ...result.matched, stayedValue: churnedOf.stayedValue() } };
}

function matchOf(headers: readonly string[], layout: OutcomeLayout): OutcomeMatch {
  return {
    customerId: headers[layout.id]!,
    churned: headers[layout.churned]!,
    observedAt: layout.observedAt === undefined ? null : headers[layout.observedAt]!,
    model: layout.label?.model ?? null,
    churnedValue: layout.label?.churnedValue ?? null,
    stayedValue: null,
  };
}

/** Nothing saved: answered as an error, so a file of future dates or bad values never reads as a success. */
function noneAccepted(result: ReadOutcomesResult): RetainwiseError {
  const first = result.rowErrors.slice(0, 3).map((e) => `row ${e.row}: ${e.reason}`);
  return new RetainwiseError(
    "outcomes.none_accepted",
    `${result.rowsRead === 1 ? "The one outcome row was not accepted" : `None of the ${result.rowsRead.toLocaleString("en-US")} outcome rows was accepted`}, so nothing was saved (${first.join("; ")}${result.rowsRejected > first.length ? "; …" : ""}). Fix the rows and upload the file again.`,
    {
      details: {
        rowsRead: result.rowsRead,
        rowsRejected: result.rowsRejected,
        rowErrors: result.rowErrors,
        matched: result.matched,
      },
    },
  );
}

/**
 * How a churned cell reads: yes/no, 1/0, true/false, and with a model's label its churned value.
 * A label in words of its own (`Attrited Customer`) has one other value, the file's first one that
 * is not churned; a third value is a row error naming both.
 */
function churnedReader(layout: OutcomeLayout): { read(text: string): boolean | string; stayedValue(): string | null } {
  const churnedValue = layout.label?.churnedValue;
  const ownWords = churnedValue !== undefined && !CHURNED_VALUES.has(churnedValue.toLowerCase());
  let stayed: string | null = null;
  return {
    read(text) {
      const lower = text.toLowerCase();
      if (churnedValue !== undefined && lower === churnedValue.toLowerCase()) return true;
      const generic = CHURNED_VALUES.get(lower);
      if (generic !== undefined) return generic;
      if (!ownWords || text === "")
        return `churned "${shorten(text)}" is not one of yes, no, 1, 0, true, false${churnedValue !== undefined ? ` (or "${churnedValue}", churned as ${layout.label!.model} learned it)` : ""}`;
      stayed ??= text;
      if (lower === stayed.toLowerCase()) return false;
      return `churned "${shorten(text)}" is neither "${churnedValue}" (churned, as ${layout.label!.model} learned it) nor "${stayed}" (stayed, the file's other value)`;
    },
    stayedValue: () => (ownWords ? stayed : null),
  };
}

/** The row's outcome, or why it cannot be read. */
function parseRow(
  record: string[],
  layout: OutcomeLayout,
  churnedOf: ReturnType<typeof churnedReader>,
  now: Date,
): Outcome | string {
  if (isUnreadable(record)) return record.unreadable;
  if (record.length !== layout.width)
    return `the row has ${record.length} field${record.length === 1 ? "" : "s"} but the header has ${layout.width}`;
  const customerId = record[layout.id]!.trim();
  if (customerId === "") return "the customer id is blank";
  const idProblem = customerIdProblem(customerId);
  if (idProblem !== null) return `the ${idProblem}`;
  const churned = churnedOf.read(record[layout.churned]!.trim());
  if (typeof churned === "string") return churned;
  const observedText = layout.observedAt === undefined ? "" : record[layout.observedAt]!.trim();
  const observedAt = observedText === "" ? now : new Date(observedText);
  if (Number.isNaN(observedAt.getTime()))
    return `observed_at "${shorten(observedText)}" is not a date (use 2026-11-30 or 2026-11-30T14:00:00Z)`;
  if (observedAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
    return `observed_at "${shorten(observedText)}" is in the future (after ${now.toISOString().slice(0, 10)}): upload outcomes once they are known`;
  return { customerId, churned, observedAt };
}

/** An observation a few minutes ahead is a client clock, not a prophecy. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function shorten(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}
