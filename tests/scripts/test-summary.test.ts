/**
 * `npm test`'s last line (scripts/test.mjs), on a fixture run of real vitest: a suite that cannot
 * load or whose set-up throws runs no test, and must still make the summary and the exit code fail.
 */
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runCommand } from "../support/run-command.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG = "tests/fixtures/test-summary/vitest.config.mjs";

function runSummary(fixtures?: string) {
  const env = { ...process.env, ...(fixtures ? { RW_SUMMARY_FIXTURES: fixtures } : {}) };
  return runCommand(process.execPath, ["scripts/test.mjs", "--config", CONFIG], { cwd: ROOT, env, timeoutMs: 60_000 });
}

test("files that fail to load or in a hook are counted, named, and fail the run", async () => {
  const run = await runSummary();
  expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("tests: 1 passed, 1 failed, 1 skipped, 2 files failed to run");
  expect(run.stderr).toContain("cannot-load.check.ts failed to run: Cannot find module './moved-away.ts'");
  expect(run.stderr).toContain("hook-throws.check.ts failed to run: the fixture this suite needs is missing");
  expect(run.status).not.toBe(0);
}, 70_000);

test("a suite that only fails to load is not '0 failed'", async () => {
  const run = await runSummary("{passes,cannot-load}.check.ts");
  expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("tests: 1 passed, 0 failed, 1 file failed to run");
  expect(run.status).not.toBe(0);
}, 70_000);

test("a clean run says so and exits 0", async () => {
  const run = await runSummary("passes.check.ts");
  expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("tests: 1 passed, 0 failed");
  expect(run.status).toBe(0);
}, 70_000);
