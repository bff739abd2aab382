import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { RetainwiseError } from "@retainwise/core";
import type { Sql, TransactionSql } from "./connect.ts";
import { withDbErrors } from "./errors.ts";
import { migrate, MIGRATION_LOCK_KEY, MIGRATIONS_DIR } from "./migrate.ts";

/** A login role and the password it is to have. */
export interface RoleLogin {
  name: string;
  password: string;
}

/**
 * The two roles the application uses instead of the RDS master user (docs/DEPLOY.md, "Database
 * roles"): `migrator` owns the schema and runs the migrations; `runtime` (API, workers) may only
 * read and write rows: no DDL, no role management, and only SELECT on `schema_migrations`.
 */
export interface DatabaseRoles {
  migrator: RoleLogin;
  runtime: RoleLogin;
}

/**
 * Creates or updates both roles as `admin` (the master user: CREATEROLE, owner of the database),
 * hands the migrator every table that predates it, migrates as `migrator` (a pool logged in as
 * that role), then grants the runtime role DML on every table. Idempotent: each run also resets
 * both passwords, so rotating one is a new secret value and a run. Resolves with the migrations
 * applied now.
 *
 * @example
 *   await migrateWithRoles(masterSql, migratorSql, { migrator: { name: "retainwise_migrator", password }, runtime: { name: "retainwise_app", password: p2 } });
 */
export async function migrateWithRoles(
  admin: Sql,
  migrator: Sql,
  roles: DatabaseRoles,
  dir: string = MIGRATIONS_DIR,
): Promise<string[]> {
  assertDistinct(roles);
  await withDbErrors("setting up the database roles", () => admin.begin((tx) => prepareRoles(tx, roles)));
  const applied = await migrate(migrator, dir);
  await withDbErrors("granting the runtime role its access", () => admin.begin((tx) => grantRuntime(tx, roles)));
  return applied;
}

async function prepareRoles(tx: TransactionSql, { migrator, runtime }: DatabaseRoles): Promise<void> {
  // The same lock as migrate(): two Migrate tasks of one deploy never interleave their changes.
  await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
  for (const role of [migrator, runtime]) await ensureLogin(tx, role);
  // RDS's master is no superuser: to hand objects to the migrator and set its default privileges
  // it must be able to SET ROLE to it (PostgreSQL 16+ gives a role's creator only ADMIN on it).
  await tx`grant ${tx(migrator.name)} to current_user`;
  // Only the migrator creates objects; before PostgreSQL 15 every role could create in `public`.
  await tx`revoke create on schema public from public`;
  await tx`grant usage, create on schema public to ${tx(migrator.name)}`;
  await tx`grant usage on schema public to ${tx(runtime.name)}`;
  // Tables the master created before these roles existed (every stage deployed until now).
  // Indexes and column-owned sequences follow their table; our migrations create nothing else.
  const foreign = await tx<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v') and pg_get_userbyid(c.relowner) <> ${migrator.name}`;
  for (const { name } of foreign) await tx`alter table ${tx("public")}.${tx(name)} owner to ${tx(migrator.name)}`;
  // What the migrator creates from now on is the runtime's to read and write, nothing more.
  await tx`alter default privileges for role ${tx(migrator.name)} in schema public grant select, insert, update, delete on tables to ${tx(runtime.name)}`;
  await tx`alter default privileges for role ${tx(migrator.name)} in schema public grant usage, select on sequences to ${tx(runtime.name)}`;
}

async function grantRuntime(tx: TransactionSql, { migrator, runtime }: DatabaseRoles): Promise<void> {
  await tx`set local role ${tx(migrator.name)}`;
  await tx`grant select, insert, update, delete on all tables in schema public to ${tx(runtime.name)}`;
  await tx`grant usage, select on all sequences in schema public to ${tx(runtime.name)}`;
  // The start-up check reads it (assertMigrated); rewriting it would hide a missing migration.
  await tx`revoke insert, update, delete, truncate on schema_migrations from ${tx(runtime.name)}`;
}

/**
 * A login role with no privilege beyond logging in. CREATE ROLE's defaults are NOSUPERUSER,
 * NOCREATEDB, NOCREATEROLE, NOREPLICATION, NOBYPASSRLS (and a non-superuser master may not even
 * name the first, third-party ones); a role someone raised by hand is refused, not used.
 */
async function ensureLogin(tx: TransactionSql, role: RoleLogin): Promise<void> {
  const [exists] = await tx`select 1 as found from pg_roles where rolname = ${role.name}`;
  if (!exists) await tx`create role ${tx(role.name)}`;
  // A SCRAM verifier, not the password: the statement (and any log of it) never holds the secret.
  await tx.unsafe(`alter role "${role.name}" with login password '${scramSha256Verifier(role.password)}'`);
  const [raised] = await tx`
    select 1 as found from pg_roles
    where rolname = ${role.name} and (rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls)`;
  if (raised)
    throw new RetainwiseError(
      "db.bad_role",
      `The database role ${role.name} has more than LOGIN (superuser, createrole, createdb, replication or bypassrls): take those away (ALTER ROLE as an administrator) before migrating.`,
    );
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function assertDistinct({ migrator, runtime }: DatabaseRoles): void {
  for (const role of [migrator, runtime]) {
    if (!ROLE_NAME.test(role.name))
      throw new RetainwiseError(
        "db.bad_role",
        `The database role name "${role.name}" must be lower-case letters, digits and underscores.`,
      );
    if (role.password.length < 16)
      throw new RetainwiseError(
        "db.bad_role",
        `The password of the database role ${role.name} must be at least 16 characters.`,
      );
  }
  if (migrator.name === runtime.name)
    throw new RetainwiseError(
      "db.bad_role",
      `The migration and runtime roles must differ (both are ${migrator.name}).`,
    );
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, as libpq's
 * PQencryptPasswordConn and psql's \password compute it), so ALTER ROLE is sent no password.
 * No SASLprep: our passwords are generated ASCII (infra/database.ts), which it leaves unchanged.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const hmac = (text: string) => createHmac("sha256", salted).update(text).digest();
  const storedKey = createHash("sha256").update(hmac("Client Key")).digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${hmac("Server Key").toString("base64")}`;
}
