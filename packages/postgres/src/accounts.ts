import { createHash, randomBytes } from "node:crypto";
import type { Account, AccountRepository } from "@retainwise/core";
import type { SqlOrTx } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/**
 * Accounts and API keys. A key is `rw_` + 43 base64url chars (256 random bits); only its SHA-256
 * is stored, with the first characters kept as a display prefix. A fast hash suffices because the
 * key has full entropy (slow hashes protect guessable passwords), and lookup by hash equality on a
 * unique index leaks nothing useful through timing.
 *
 * @example
 *   const accounts = createPostgresAccountRepository(sql);
 *   const account = await accounts.ensureAccount("acme");
 *   const { key } = await accounts.createApiKey(account.id); // show once
 *   (await accounts.authenticate(key))?.id === account.id;
 */
export function createPostgresAccountRepository(sql: SqlOrTx): AccountRepository {
  return {
    ensureAccount: (name) => withDbErrors("creating an account", () => ensureAccount(sql, name)),
    createApiKey: (accountId, label) => withDbErrors("creating an API key", () => createApiKey(sql, accountId, label)),
    authenticate: (key) => withDbErrors("checking an API key", () => authenticate(sql, key)),
  };
}

export const API_KEY_PREFIX = "rw_";
const KEY_RANDOM_BYTES = 32;
const DISPLAY_PREFIX_CHARS = 10;

/** SHA-256 of a plaintext key: what `api_keys.key_hash` stores. */
export function hashApiKey(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

async function ensureAccount(sql: SqlOrTx, name: string): Promise<Account> {
  // `do update` (a no-op write) rather than `do nothing` so the existing row comes back too.
  const [row] = await sql<Account[]>`
    insert into accounts (name) values (${name})
    on conflict (name) do update set name = excluded.name
    returning id, name, created_at`;
  return row!;
}

/**
 * A new key and what the database stores of it, without touching a database: `keys mint` makes one
 * on an operator's machine and the deployed task stores only its hash (`keys import`), so the key
 * itself never passes through a task's command line or logs (scripts/first-deploy.sh).
 */
export function mintApiKey(): { key: string } & StoredApiKey {
  const key = API_KEY_PREFIX + randomBytes(KEY_RANDOM_BYTES).toString("base64url");
  return { key, keyHash: hashApiKey(key), prefix: key.slice(0, DISPLAY_PREFIX_CHARS) };
}

/** What `api_keys` keeps of a key: its SHA-256 and its display prefix (`keys list`). */
export interface StoredApiKey {
  keyHash: Buffer;
  prefix: string;
}

/** Stores a key minted elsewhere (`mintApiKey`) for `accountId`. */
export function storeApiKey(
  sql: SqlOrTx,
  accountId: string,
  stored: StoredApiKey,
  label?: string,
): Promise<{ id: string }> {
  return withDbErrors("storing an API key", async () => {
    const [row] = await sql<{ id: string }[]>`
      insert into api_keys (account_id, key_hash, prefix, label)
      values (${accountId}, ${stored.keyHash}, ${stored.prefix}, ${label ?? null})
      returning id`;
    return row!;
  });
}

async function createApiKey(sql: SqlOrTx, accountId: string, label?: string): Promise<{ id: string; key: string }> {
  const { key, ...stored } = mintApiKey();
  const { id } = await storeApiKey(sql, accountId, stored, label);
  return { id, key };
}

async function authenticate(sql: SqlOrTx, key: string): Promise<Account | null> {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  const [row] = await sql<Account[]>`
    select a.id, a.name, a.created_at from api_keys k join accounts a on a.id = k.account_id
    where k.key_hash = ${hashApiKey(key)} and k.revoked_at is null`;
  return row ?? null;
}
