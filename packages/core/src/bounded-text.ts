/**
 * Caps on what we echo back. A customer id, a cell or a header can be megabytes long, and whatever
 * we copy into metrics, messages and logs is stored and sent again on every read (one 50 MB id made
 * a prediction's GET 251 MB). Anything taken from a customer's file goes through these first.
 */

/** Characters of an id or a cell quoted in metrics and messages. */
export const ECHO_MAX_CHARS = 64;
/** Items of a list (headers, columns) named in a message. */
export const LIST_MAX_ITEMS = 20;

/**
 * `text` cut to `max` characters, the last one an ellipsis when it was longer.
 *
 * @example
 *   ellipsize("x".repeat(100), 10) // "xxxxxxxxx…"
 */
export function ellipsize(text: string, max = ECHO_MAX_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The first `max` items joined with ", ", then "and N more".
 *
 * @example
 *   listWithMore(["a", "b", "c"], 2) // "a, b and 1 more"
 */
export function listWithMore(items: readonly string[], max = LIST_MAX_ITEMS): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${(items.length - max).toLocaleString("en-US")} more`;
}

/**
 * The longest customer id we store, at every door: outcomes, scoring, the copy of scores into the
 * database. Longer is a pasted cell, not an id, and a btree index entry over about 2,700 bytes is
 * refused by PostgreSQL (SQLSTATE 54000), so one such id used to fail the copy of a whole file.
 */
export const CUSTOMER_ID_MAX_CHARS = 200;

/**
 * Why `id` (trimmed) cannot be stored as a customer id, or null when it can. NUL is refused too:
 * PostgreSQL text cannot hold it (SQLSTATE 22021). Blank ids are each door's own question.
 *
 * @example
 *   customerIdProblem("x".repeat(201)) // "customer id longer than 200 characters (201)"
 */
export function customerIdProblem(id: string): string | null {
  if (id.length > CUSTOMER_ID_MAX_CHARS)
    return `customer id longer than ${CUSTOMER_ID_MAX_CHARS} characters (${id.length.toLocaleString("en-US")})`;
  if (id.includes("\u0000")) return "customer id holds a NUL character";
  return null;
}
