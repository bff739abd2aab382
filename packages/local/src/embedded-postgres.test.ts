import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { connect } from "@retainwise/postgres";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-embedded-"));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function started(dataDir: string): Promise<EmbeddedPostgres> {
  const pg = await startEmbeddedPostgres({ dataDir });
  cleanups.push(() => pg.stop());
  return pg;
}

test("a restarted cluster keeps its data and its password", async () => {
  const dataDir = await tempDataDir();
  const first = await started(dataDir);
  const sql = connect(first.url, { max: 1 });
  await sql`create table kept (value text)`;
  await sql`insert into kept values ('still here')`;
  await sql.end();
  await first.stop();

  const second = await started(dataDir);
  const again = connect(second.url, { max: 1 });
  const rows = await again<{ value: string }[]>`select value from kept`;
  await again.end();
  expect(rows.map((r) => r.value)).toEqual(["still here"]);
});

test("the cluster runs as a non-root OS user even when we are root", async () => {
  const dataDir = await tempDataDir();
  await started(dataDir);
  const postmasterPid = (await fs.readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0];
  const status = await fs.readFile(`/proc/${postmasterPid}/status`, "utf8");
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  expect(uid).not.toBe(0);
});

test("a second process cannot start the same data directory while the first runs", async () => {
  const dataDir = await tempDataDir();
  await started(dataDir);
  // The owner file names a live process that is not us: what another `retainwise local` looks like.
  const other = spawn("sleep", ["30"]);
  cleanups.push(async () => void other.kill());
  await fs.writeFile(path.join(dataDir, "postgres.owner"), String(other.pid));
  await expect(startEmbeddedPostgres({ dataDir })).rejects.toMatchObject({ code: "local.data_dir_in_use" });
});

test("with attach, a short command uses the cluster another live process runs, and leaves it running", async () => {
  const dataDir = await tempDataDir();
  const running = await started(dataDir);
  const other = spawn("sleep", ["30"]);
  cleanups.push(async () => void other.kill());
  await fs.writeFile(path.join(dataDir, "postgres.owner"), String(other.pid));
  const attached = await startEmbeddedPostgres({ dataDir, attach: true });
  expect(attached.port).toBe(running.port);
  await attached.stop();
  const sql = connect(running.url, { max: 1 });
  const [row] = await sql<{ one: number }[]>`select 1 as one`;
  await sql.end();
  expect(row?.one).toBe(1);
});

test("a postmaster orphaned by a dead owner is stopped and the cluster starts again", async () => {
  const dataDir = await tempDataDir();
  const orphaned = await started(dataDir);
  const orphanPid = Number(
    (await fs.readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0],
  );
  // Pretend the owner died without stopping it (its pid is gone).
  await fs.writeFile(path.join(dataDir, "postgres.owner"), "999999999");
  const restarted = await started(dataDir);
  const sql = connect(restarted.url, { max: 1 });
  const [row] = await sql<{ one: number }[]>`select 1 as one`;
  await sql.end();
  expect(row?.one).toBe(1);
  expect(() => process.kill(orphanPid, 0)).toThrow();
  await orphaned.stop();
});

test("an ephemeral cluster removes its data directory on stop", async () => {
  const dataDir = await tempDataDir();
  const pg = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  await pg.stop();
  await expect(fs.access(dataDir)).rejects.toMatchObject({ code: "ENOENT" });
});
