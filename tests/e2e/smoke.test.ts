import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../packages/postgres/src/index.ts";
import { freePort } from "../support/free-port.ts";
import { runCommand } from "../support/run-command.ts";

/**
 * `retainwise smoke` against one-machine mode: `retainwise local` runs as a real process on free
 * ports (its embedded PostgreSQL served on --pg-port, as for `sst dev`), and `retainwise smoke`
 * runs as another, over real HTTP.
 */
const BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "retainwise");
let local: ChildProcess;
let dataDir: string;
let url: string;
let key: string;
let databaseUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "rw-smoke-"));
  const [port, pgPort] = [await freePort(), await freePort()];
  local = spawn(BIN, ["local", "--port", String(port), "--pg-port", String(pgPort), "--data-dir", dataDir], {
    env: { ...process.env, RETAINWISE_LOG_LEVEL: "warn", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  local.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const deadline = Date.now() + 120_000;
  while (!/^Database \(for sst dev\): .+$/m.test(out)) {
    if (Date.now() > deadline || local.exitCode !== null) throw new Error(`retainwise local did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = /running at (\S+)/.exec(out)![1]!;
  key = /^API key: (\S+)$/m.exec(out)![1]!;
  databaseUrl = /^Database \(for sst dev\): (\S+)$/m.exec(out)![1]!;
}, 150_000);

afterAll(async () => {
  if (local.exitCode === null) {
    local.kill("SIGTERM");
    await once(local, "exit");
  }
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const smoke = (...args: string[]) =>
  runCommand(BIN, ["smoke", ...args], { env: { ...process.env, RETAINWISE_SMOKE_KEY: "" }, timeoutMs: 120_000 });

describe("retainwise smoke", () => {
  it("passes against a healthy service: sample uploaded, scored, downloaded and checked, one OK line, exit 0", async () => {
    const run = await smoke("--url", url, "--key", key, "--timeout", "90");
    expect(run.stdout.trim(), run.stderr).toMatch(
      /^smoke: OK — 5 rows scored and downloaded from http:\/\/127\.0\.0\.1:\d+ in [\d.]+ s$/,
    );
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/smoke: health…[\s\S]*smoke: delete…/);
  });

  it("fails with exit 1, naming the step, when the key is wrong", async () => {
    const run = await smoke("--url", url, "--key", "rw_not-a-real-key", "--timeout", "10");
    expect(run.status).toBe(1);
    expect(run.stdout.trim()).toMatch(/^smoke: FAILED at upload — HTTP 401 from POST \/v1\/predictions/);
  });

  it("fails with exit 1 at the health step when nothing answers at the URL", async () => {
    const run = await smoke("--url", `http://127.0.0.1:${await freePort()}`, "--key", key);
    expect(run.status).toBe(1);
    expect(run.stdout.trim()).toMatch(/^smoke: FAILED at health — /);
  });

  it("refuses to run without a URL and a key (exit 2)", async () => {
    expect((await smoke("--url", url)).status).toBe(2);
  });
});

describe("retainwise local --pg-port", () => {
  it("serves its PostgreSQL with a migrated `retainwise` database for sst dev", async () => {
    const sql = connect(databaseUrl, { max: 1 });
    try {
      const [row] = await sql`select current_database() as name, to_regclass('predictions') is not null as migrated`;
      expect(row).toEqual({ name: "retainwise", migrated: true });
      expect(new URL(databaseUrl).port).not.toBe("");
    } finally {
      await sql.end();
    }
  });
});
