import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, test } from "vitest";
import { createRdsLikeDatabase, type RdsLikeDatabase } from "../../../tests/support/postgres.ts";
import { assertMigrated, migrate } from "./migrate.ts";
import { migrateWithRoles } from "./database-roles.ts";

const stages: RdsLikeDatabase[] = [];
afterEach(async () => {
  await Promise.all(stages.splice(0).map((stage) => stage.drop()));
});

async function rdsLikeStage(): Promise<RdsLikeDatabase> {
  const stage = await createRdsLikeDatabase();
  stages.push(stage);
  return stage;
}

async function setUp(options: { existingTables: boolean }) {
  const stage = await rdsLikeStage();
  // Every stage deployed before the roles: the master created (and owns) every table.
  if (options.existingTables) await migrate(stage.as(stage.master));
  await migrateWithRoles(stage.as(stage.master), stage.as(stage.roles.migrator), stage.roles);
  return { stage, migrator: stage.as(stage.roles.migrator), runtime: stage.as(stage.roles.runtime) };
}

const refused = (query: Promise<unknown>) => expect(query).rejects.toMatchObject({ code: "42501" });

describe("the migration and runtime roles", () => {
  test("on a stage whose master made every table, the migrator comes to own them all and the runtime role reads and writes rows", async () => {
    const { runtime, migrator } = await setUp({ existingTables: true });
    const owners = await migrator<
      { owner: string }[]
    >`select distinct tableowner as owner from pg_tables where schemaname = 'public'`;
    expect(owners.map((o) => o.owner)).toEqual([(await migrator`select current_user as me`)[0]!.me]);
    const [account] = await runtime<{ id: string }[]>`insert into accounts (name) values ('acme') returning id`;
    await runtime`update accounts set name = 'acme2' where id = ${account!.id}`;
    expect(await runtime`select name from accounts`).toEqual([{ name: "acme2" }]);
    await runtime`delete from accounts where id = ${account!.id}`;
    await expect(assertMigrated(runtime)).resolves.toBeUndefined();
  });

  test("the runtime role can change no schema, role or migration record", async () => {
    const { runtime, stage } = await setUp({ existingTables: false });
    await refused(runtime`create table sneaky (id int)`);
    await refused(runtime`drop table accounts`);
    await refused(runtime`alter table accounts add column sneaky int`);
    await refused(runtime`create index sneaky on accounts (name)`);
    await refused(runtime`truncate accounts`);
    await refused(runtime`create role sneaky login`);
    await refused(runtime.unsafe(`grant ${stage.roles.migrator.name} to ${stage.roles.runtime.name}`));
    // Without the grant option PostgreSQL only warns ("no privileges were granted"): check the outcome.
    await runtime`grant select on accounts to public`;
    expect(
      await runtime`select grantee from information_schema.table_privileges where table_name = 'accounts' and grantee = 'PUBLIC'`,
    ).toEqual([]);
    await refused(runtime`delete from schema_migrations`);
    await refused(runtime`insert into schema_migrations (name, checksum) values ('9999_x.sql', 'x')`);
    const [attributes] =
      await runtime`select rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls from pg_roles where rolname = current_user`;
    expect(attributes).toEqual({
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolbypassrls: false,
    });
    expect(
      await runtime`select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid where m.member = (select oid from pg_roles where rolname = current_user)`,
    ).toEqual([]);
  });

  test("the migrator creates tables the runtime role may then use, but manages no roles", async () => {
    const { runtime, migrator } = await setUp({ existingTables: false });
    await migrator`create table later_table (id int)`;
    await runtime`insert into later_table values (1)`;
    expect(await runtime`select id from later_table`).toEqual([{ id: 1 }]);
    await refused(runtime`drop table later_table`);
    await refused(migrator`create role sneaky login`);
    const [attributes] =
      await migrator`select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user`;
    expect(attributes).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
  });

  test("a second run changes nothing but the passwords (sent as SCRAM verifiers): the new one logs in, the old one no longer does", async () => {
    const { stage } = await setUp({ existingTables: true });
    const old = stage.roles.runtime;
    const rotated = { ...stage.roles, runtime: { name: old.name, password: randomBytes(18).toString("base64url") } };
    await expect(migrateWithRoles(stage.as(stage.master), stage.as(stage.roles.migrator), rotated)).resolves.toEqual(
      [],
    );
    expect(await stage.as(rotated.runtime)`select count(*)::int as n from accounts`).toEqual([{ n: 0 }]);
    await expect(stage.as(old)`select 1`).rejects.toMatchObject({ code: "28P01" });
  });

  test("a database missing a migration is refused at start, naming it", async () => {
    const stage = await rdsLikeStage();
    await expect(assertMigrated(stage.as(stage.master))).rejects.toMatchObject({
      code: "db.not_migrated",
      message: expect.stringContaining("0001_accounts.sql"),
    });
  });

  test("refuses one role for both jobs", async () => {
    const stage = await rdsLikeStage();
    const same = { migrator: stage.roles.migrator, runtime: stage.roles.migrator };
    await expect(migrateWithRoles(stage.as(stage.master), stage.as(stage.roles.migrator), same)).rejects.toMatchObject({
      code: "db.bad_role",
    });
  });
});
