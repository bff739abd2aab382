import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TransientError } from "@retainwise/core";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { createPostgresAccountRepository } from "./accounts.ts";
import { connect } from "./connect.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});
afterAll(() => db.drop());

const accounts = () => createPostgresAccountRepository(db.sql);

test("ensureAccount creates an account once and returns the same one after", async () => {
  const name = `acme-${randomUUID()}`;
  const [a, b] = await Promise.all([accounts().ensureAccount(name), accounts().ensureAccount(name)]);
  expect(a.id).toBe(b.id);
  expect(a.name).toBe(name);
  expect(a.createdAt).toBeInstanceOf(Date);
});

test("a minted key authenticates as its account and only its SHA-256 is stored", async () => {
  const account = await accounts().ensureAccount(`acme-${randomUUID()}`);
  const { id, key } = await accounts().createApiKey(account.id, "ci");
  expect(key).toMatch(/^rw_[A-Za-z0-9_-]{43}$/);
  expect((await accounts().authenticate(key))?.id).toBe(account.id);
  const [row] = await db.sql<
    { keyHash: Buffer; prefix: string; label: string }[]
  >`select key_hash, prefix, label from api_keys where id = ${id}`;
  expect(row?.keyHash.equals(createHash("sha256").update(key).digest())).toBe(true);
  expect(row?.prefix).toBe(key.slice(0, 10));
  expect(row?.label).toBe("ci");
  const columns = await db.sql<Record<string, unknown>[]>`select * from api_keys where id = ${id}`;
  expect(JSON.stringify(columns)).not.toContain(key.slice(10));
});

test("unknown, altered and revoked keys do not authenticate", async () => {
  const account = await accounts().ensureAccount(`acme-${randomUUID()}`);
  const { id, key } = await accounts().createApiKey(account.id);
  expect(await accounts().authenticate(key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"))).toBeNull();
  expect(await accounts().authenticate("rw_unknown")).toBeNull();
  expect(await accounts().authenticate("")).toBeNull();
  await db.sql`update api_keys set revoked_at = now() where id = ${id}`;
  expect(await accounts().authenticate(key)).toBeNull();
});

test("two keys of one account both work and are different", async () => {
  const account = await accounts().ensureAccount(`acme-${randomUUID()}`);
  const first = await accounts().createApiKey(account.id);
  const second = await accounts().createApiKey(account.id);
  expect(first.key).not.toBe(second.key);
  expect((await accounts().authenticate(first.key))?.id).toBe(account.id);
  expect((await accounts().authenticate(second.key))?.id).toBe(account.id);
});

test("an unreachable database surfaces as a TransientError without SQL in its message", async () => {
  const url = new URL(db.url);
  url.port = "1"; // nothing listens on port 1
  const sql = connect(url.toString(), { max: 1 });
  try {
    const error = await createPostgresAccountRepository(sql)
      .authenticate("rw_anything")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).not.toMatch(/select|api_keys/i);
  } finally {
    await sql.end();
  }
});
