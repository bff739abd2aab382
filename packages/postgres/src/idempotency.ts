import type { IdempotencyClaim, IdempotencyKeys, StoredResponse } from "@retainwise/core";
import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/**
 * Idempotency keys in Postgres (migrations/0005_idempotency.sql).
 *
 * @example
 *   const keys = createPostgresIdempotencyKeys(sql);
 *   const claim = await keys.claim(accountId, "retry-1", fingerprint, { ttlSeconds: 86_400, staleAfterSeconds: 120 });
 *   if (claim.state === "claimed") await keys.save(accountId, "retry-1", { status: 202, headers: {}, body: "{}" });
 */
export function createPostgresIdempotencyKeys(sql: SqlOrTx): IdempotencyKeys {
  return {
    claim: (accountId, key, fingerprint, options) =>
      withDbErrors("claiming an idempotency key", () => claim(sql, accountId, key, fingerprint, options)),
    heartbeat: (accountId, key) =>
      withDbErrors("refreshing an idempotency key", async () => {
        await sql`update idempotency_keys set locked_at = now() where account_id = ${accountId} and key = ${key} and response_status is null`;
      }),
    save: (accountId, key, response) =>
      withDbErrors("saving an idempotent response", async () => {
        await sql`
          update idempotency_keys set response_status = ${response.status}, response_headers = ${sql.json(response.headers)}, response_body = ${response.body}
          where account_id = ${accountId} and key = ${key}`;
      }),
    release: (accountId, key) =>
      withDbErrors("releasing an idempotency key", async () => {
        await sql`delete from idempotency_keys where account_id = ${accountId} and key = ${key} and response_status is null`;
      }),
  };
}

/** A row deleted between the refused insert and the read (its request gave up) is claimed on the next try. */
const CLAIM_TRIES = 3;

interface KeyRow {
  fingerprint: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

/**
 * One statement decides: the insert wins a new key; on conflict the update takes over only an
 * expired or abandoned row, and the unique key makes simultaneous claimers queue on the row, so
 * exactly one of them sees a row returned.
 */
async function claim(
  sql: SqlOrTx,
  accountId: string,
  key: string,
  fingerprint: string,
  options: { ttlSeconds: number; staleAfterSeconds: number },
): Promise<IdempotencyClaim> {
  await purgeExpired(sql, options.ttlSeconds);
  for (let attempt = 1; ; attempt++) {
    const won = await sql`
      insert into idempotency_keys (account_id, key, fingerprint) values (${accountId}, ${key}, ${fingerprint})
      on conflict (account_id, key) do update set
        fingerprint = excluded.fingerprint, response_status = null, response_headers = null, response_body = null,
        locked_at = now(), created_at = now()
      where idempotency_keys.created_at < now() - make_interval(secs => ${options.ttlSeconds})
         or (idempotency_keys.response_status is null and idempotency_keys.locked_at < now() - make_interval(secs => ${options.staleAfterSeconds}))
      returning 1`;
    if (won.length === 1) return { state: "claimed" };
    const [row] = await sql<KeyRow[]>`
      select fingerprint, response_status, response_headers, response_body from idempotency_keys where account_id = ${accountId} and key = ${key}`;
    if (row) return toClaim(row);
    if (attempt >= CLAIM_TRIES) return { state: "in_progress", fingerprint };
  }
}

/** Keeps the table to about a day of keys: each claim deletes up to this many expired ones. */
const PURGE_BATCH = 100;

async function purgeExpired(sql: SqlOrTx, ttlSeconds: number): Promise<void> {
  await sql`
    with expired as (
      select account_id, key from idempotency_keys where created_at < now() - make_interval(secs => ${ttlSeconds})
      order by created_at limit ${PURGE_BATCH} for update skip locked
    )
    delete from idempotency_keys i using expired e where i.account_id = e.account_id and i.key = e.key`;
}

function toClaim(row: KeyRow): IdempotencyClaim {
  if (row.responseStatus === null) return { state: "in_progress", fingerprint: row.fingerprint };
  const response: StoredResponse = {
    status: row.responseStatus,
    headers: row.responseHeaders ?? {},
    body: row.responseBody ?? "",
  };
  return { state: "done", fingerprint: row.fingerprint, response };
}
