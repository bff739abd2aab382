/** A UUID in its canonical text form, any version, either case: the one pattern ids and receipts are checked against. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id matches nothing; checking up front spares a query its 22P02 (invalid uuid). */
export function isUuid(id: string): boolean {
  return UUID_PATTERN.test(id);
}
