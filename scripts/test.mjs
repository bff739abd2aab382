#!/usr/bin/env node
// Runs the whole vitest suite and ends with one plain line that CI reads:
//   tests: N passed, N failed[, N skipped][, N files failed to run][, biome failed]
// A test file that fails outside its tests (an import that no longer resolves, a beforeAll that
// throws) has no failed test to count, so it is counted as a file: a run that loaded nothing must
// not read "0 failed". The exit code is non-zero whenever anything failed, vitest's otherwise.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// With --lint (npm test), Biome first (`biome ci`: its lint rules and its formatter, biome.jsonc): code
// that breaks a rule or is not formatted fails the run as a failing test would. Runs of fixture suites leave it out: they need no lint of the tree.
const lint = process.argv.includes("--lint");
const vitestArgs = process.argv.slice(2).filter((arg) => arg !== "--lint");
const check = lint
  ? spawnSync(join(root, "node_modules", ".bin", "biome"), ["ci", "--max-diagnostics=50", "."], {
      cwd: root,
      stdio: "inherit",
    })
  : { status: 0 };
const report = join(mkdtempSync(join(tmpdir(), "retainwise-tests-")), "report.json");
const vitest = join(root, "node_modules", ".bin", "vitest");
const result = spawnSync(
  vitest,
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs],
  {
    cwd: root,
    stdio: "inherit",
  },
);

let json;
try {
  json = JSON.parse(readFileSync(report, "utf8"));
} catch {
  console.log(`tests: no report (vitest ended with ${result.status ?? result.signal}), run failed`);
  process.exit(1);
}

// A file that failed with no failed test in it failed to load or in a hook.
const brokenFiles = json.testResults.filter(
  (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"),
);
for (const file of brokenFiles)
  console.error(`test: ${relative(root, file.name)} failed to run: ${firstLine(file.message)}`);
const parts = [`${json.numPassedTests} passed`, `${json.numFailedTests} failed`];
if (json.numPendingTests) parts.push(`${json.numPendingTests} skipped`);
if (brokenFiles.length > 0)
  parts.push(`${brokenFiles.length} ${brokenFiles.length === 1 ? "file" : "files"} failed to run`);
if (check.status !== 0) parts.push("biome failed (see its report above)");
// vitest's own verdict covers what no file carries (an unhandled error between tests).
const failed = json.numFailedTests > 0 || brokenFiles.length > 0 || json.success === false || result.status !== 0;
if (failed && json.numFailedTests === 0 && brokenFiles.length === 0)
  parts.push("run failed (see vitest's errors above)");
console.log(`tests: ${parts.join(", ")}`);
process.exit(failed ? result.status || 1 : check.status === 0 ? 0 : 1);

function firstLine(message) {
  return (message || "no message").split("\n").find((line) => line.trim() !== "") ?? "no message";
}
