#!/usr/bin/env node
// Runs the whole vitest suite and ends with one plain line, `tests: N passed, N failed`, that CI
// reads; the exit code is vitest's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const report = join(mkdtempSync(join(tmpdir(), "retainwise-tests-")), "report.json");
const vitest = join(root, "node_modules", ".bin", "vitest");
const result = spawnSync(vitest, ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});

let summary = "tests: 0 passed, 0 failed";
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  summary = `tests: ${json.numPassedTests} passed, ${json.numFailedTests} failed` + (json.numPendingTests ? `, ${json.numPendingTests} skipped` : "");
} catch {
  console.error("test: vitest wrote no report");
}
console.log(summary);
process.exit(result.status ?? 1);
