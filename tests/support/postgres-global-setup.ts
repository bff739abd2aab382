/**
 * vitest globalSetup: ONE ephemeral embedded PostgreSQL per test run, shared by every test file
 * (each file gets its own database through `createTestDatabase()` in ./postgres.ts).
 *
 * Startup sweeps clusters left by runs that died before teardown (their owner pid is gone);
 * teardown stops the cluster and deletes its temp directory. A run killed outright is covered by the
 * cluster's watchdog (see packages/local/src/embedded-postgres.ts).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { isAlive, startEmbeddedPostgres } from "../../packages/local/src/embedded-postgres.ts";

const TEMP_PREFIX = "retainwise-pg-test-";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await sweepAbandonedClusters();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), TEMP_PREFIX));
  const cluster = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  project.provide("postgresAdminUrl", cluster.url);
  return () => cluster.stop();
}

/**
 * Temp clusters whose owner process is dead: stop their postmaster if still up, delete the dir.
 * A directory without an owner file may be another run still starting: left alone for an hour.
 */
async function sweepAbandonedClusters(): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of await fs.readdir(tmp)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(tmp, name);
    const owner = await readPid(path.join(dir, "postgres.owner"));
    if (owner === undefined ? !(await olderThan(dir, STARTING_GRACE_MS)) : isAlive(owner)) continue;
    const postmaster = await readPid(path.join(dir, "postgres", "postmaster.pid"));
    if (postmaster !== undefined && isAlive(postmaster)) process.kill(postmaster, "SIGQUIT");
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const STARTING_GRACE_MS = 60 * 60 * 1000;

async function olderThan(dir: string, ms: number): Promise<boolean> {
  const stat = await fs.stat(dir).catch(() => undefined);
  return stat !== undefined && Date.now() - stat.mtimeMs > ms;
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
