import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../../tests/support/postgres.ts";
import { runCommand } from "../../../../tests/support/run-command.ts";

const CLI = fileURLToPath(new URL("../../bin/retainwise.mjs", import.meta.url));
const CONFIGURATION = fileURLToPath(new URL("../../../../docs/CONFIGURATION.md", import.meta.url));

let db: TestDatabase;
let dataDir: string;
let taken: Server;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  dataDir = await mkdtemp(join(tmpdir(), "rw-local-"));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  taken.close();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test("retainwise local on a port in use exits 1 with one line saying so, stopping what it started", async () => {
  const port = (taken.address() as { port: number }).port;
  const result = await runCommand(process.execPath, [CLI, "local", "--port", String(port), "--data-dir", dataDir], {
    env: { ...process.env, DATABASE_URL: db.url },
    timeoutMs: 60_000,
  });
  expect(result.signal).toBeNull();
  expect(result.status).toBe(1);
  expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(`retainwise: port ${port} is in use; pass --port`);
}, 70_000);

test("retainwise local --help lists every setting docs/CONFIGURATION.md's table names as a flag", async () => {
  const table = await readFile(CONFIGURATION, "utf8");
  const flags = [...table.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]!);
  expect(flags.length).toBeGreaterThan(15);
  const { stdout } = await runCommand(process.execPath, [CLI, "local", "--help"]);
  for (const flag of flags) expect(stdout).toContain(`${flag} `);
});
