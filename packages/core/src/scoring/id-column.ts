import { ellipsize, listWithMore } from "../bounded-text.ts";
import { closestHeaders, CUSTOMER_ID, findColumn, normalizeHeader } from "../csv/columns.ts";
import { RetainwiseError } from "../errors.ts";
import { isTermTablesCard, type ModelCard } from "../model/card.ts";

/** -1: the file has no customer id column, so each row's id is its 1-based row number. */
export const NO_ID_COLUMN = -1;

/** Names that say whose id a column is; among several identifiers of a card they win. */
const SUBJECT_NAME = /customer|client|account|user|member|subscriber|contract|subscription/;
/** A normalized name ending like an id (`CustomerId`, `CLIENTNUM`, `account_no`). */
const ID_NAME_END = /(?:id|uuid|guid|key|num|number|no|nr)$/;
/** A row counter or an exported index (`RowNumber`, `index`, pandas' `Unnamed: 0`) names rows, not customers. */
const ROW_NAME = /^(?:row|index|line|record|unnamed)/;

/**
 * Which column of a file being scored gives each row's `customer_id`, as an index into `headers`:
 *
 * 1. `named` (`retainwise score --id-column`, `POST /v1/predictions?idColumn=`), matched like every
 *    header (case, spaces and punctuation ignored); a file without it fails with `csv.missing_columns`
 *    naming the closest headers: ids that silently fell back to row numbers would join no outcome.
 * 2. The model card's identifier column (a `term-tables/1` card lists every training column's
 *    role), when the file has it: a model trained on `CLIENTNUM` scores files that carry it. Of
 *    several, the best by name: a customer's or account's id before a row counter.
 * 3. `customerID` or one of its aliases (`customer_id`, `id`, `account_id`, `user_id`).
 *
 * Else `NO_ID_COLUMN`: rows are numbered.
 *
 * @example
 *   customerIdColumn(["CLIENTNUM", "Customer_Age"], card) // 0 when the card's identifier is CLIENTNUM
 *   customerIdColumn(["CLIENTNUM", "Customer_Age"], card, "client num") // 0
 */
export function customerIdColumn(headers: readonly string[], card: ModelCard | undefined, named?: string): number {
  const normalized = headers.map(normalizeHeader);
  if (named !== undefined) {
    const index = normalized.indexOf(normalizeHeader(named));
    return index >= 0 ? index : missingIdColumn(named, headers, normalized);
  }
  const fromCard = cardIdentifiers(card)
    .map((name) => normalized.indexOf(normalizeHeader(name)))
    .filter((index) => index >= 0);
  return fromCard[0] ?? findColumn(headers, CUSTOMER_ID) ?? NO_ID_COLUMN;
}

/** The card's identifier columns, best first by name (ties keep the card's order). */
export function cardIdentifiers(card: ModelCard | undefined): string[] {
  if (!isTermTablesCard(card)) return [];
  const identifiers = card.columns.filter((c) => c.role === "identifier").map((c) => c.name);
  return identifiers
    .map((name, order) => ({ name, order, score: idNameScore(name) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((c) => c.name);
}

function idNameScore(name: string): number {
  const normalized = normalizeHeader(name);
  return (
    (SUBJECT_NAME.test(normalized) ? 2 : 0) +
    (ID_NAME_END.test(normalized) ? 1 : 0) -
    (ROW_NAME.test(normalized) ? 4 : 0)
  );
}

function missingIdColumn(named: string, headers: readonly string[], normalized: readonly string[]): never {
  const close = closestHeaders(named, headers, normalized).map(quoted);
  const found = headers.filter((h) => h.trim() !== "").map(quoted);
  throw new RetainwiseError(
    "csv.missing_columns",
    `The file has no column "${ellipsize(named)}" to take customer ids from${close.length > 0 ? ` (closest: ${close.join(", ")})` : ""}. ` +
      `Found: ${found.length > 0 ? listWithMore(found) : "none"}. Name one of the file's columns as the id column, or leave it out to use the model's.`,
  );
}

function quoted(header: string): string {
  return `"${ellipsize(header)}"`;
}
