import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/** One API key as an operator sees it: never the key, only its display prefix. */
export interface ApiKeyListing {
  prefix: string;
  account: string;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * Every API key, newest first, for `retainwise keys list`.
 *
 * @example
 *   for (const key of await listApiKeys(sql)) console.log(key.prefix, key.account);
 */
export function listApiKeys(sql: SqlOrTx): Promise<ApiKeyListing[]> {
  return withDbErrors("listing API keys", async () => {
    const rows = await sql<ApiKeyListing[]>`
      select k.prefix, a.name as account, k.label, k.created_at, k.revoked_at
      from api_keys k join accounts a on a.id = k.account_id
      order by k.created_at desc`;
    return [...rows];
  });
}

/**
 * Revokes the live keys whose display prefix is `prefix`; the next request with one is refused
 * (keys are checked on every request, never cached). Returns how many were revoked.
 */
export function revokeApiKeys(sql: SqlOrTx, prefix: string): Promise<number> {
  return withDbErrors("revoking API keys", async () => {
    const rows =
      await sql`update api_keys set revoked_at = now() where prefix = ${prefix} and revoked_at is null returning id`;
    return rows.length;
  });
}
