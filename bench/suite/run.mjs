/**
 * The benchmark suite of issue 21 in one command: installs the Debian packages the tables come
 * from, exports the tables, fits the peers (peers.py) and ours (bench/compare-sklearn.ts) on the
 * fixed split of every table, prints the markdown table and writes bench/out/suite/results.json.
 * A table that fails shows its error in its row; the others still run. Every run rewrites
 * results.json and results.md with the tables it ran (a TABLES subset replaces a full run).
 *
 * Usage:  node bench/suite/run.mjs [--shared [data-dir]]
 *   --shared         also the three dev tables of ../shared/data (or the given folder), when present
 *   TABLES=a,b       only these tables (names from tables.json / shared.json)
 *   OURS_SETTINGS    JSON trainer settings laid over the defaults, e.g. '{"bags":2}'
 *   OURS=0           peers only (our column stays empty)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { installPackages, sharedTables, suiteTables } from "./prepare.mjs";
import { markdown, PEERS, verdict } from "./report.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const outDir = join(root, "bench/out/suite");
const log = (message) => process.stderr.write(`[suite ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const { values, positionals } = parseArgs({ allowPositionals: true, options: { shared: { type: "boolean" } } });
mkdirSync(outDir, { recursive: true });
const all = [...suiteTables(outDir, log), ...(values.shared ? sharedTables(sharedDataDir(positionals[0])) : [])];
const only = process.env.TABLES?.split(",")
  .map((t) => t.trim())
  .filter(Boolean);
const unknown = only?.filter((name) => !all.some((t) => t.name === name)) ?? [];
if (unknown.length > 0)
  throw new Error(`unknown tables: ${unknown.join(", ")} (known: ${all.map((t) => t.name).join(", ")})`);
const tables = only ? all.filter((t) => only.includes(t.name)) : all;

installPackages(tables, log);
const results = [];
for (const table of tables) {
  results.push(runTable(table));
  writeFileSync(
    join(outDir, "results.json"),
    JSON.stringify({ settings: process.env.OURS_SETTINGS ?? null, results }, null, 2) + "\n",
  );
}
const report = markdown(results);
writeFileSync(join(outDir, "results.md"), report + "\n");
console.log(report);

function runTable(table) {
  const result = { name: table.name, source: table.source, label: table.label, positive: table.positive, errors: {} };
  let csv;
  try {
    csv = table.export();
  } catch (error) {
    result.errors.peers = `export: ${lastLine(error.stderr?.toString() || error.message)}`;
    return result;
  }
  const oursCsv = join(outDir, `${table.name}.ours.csv`);
  rmSync(oursCsv, { force: true });
  const ours = process.env.OURS === "0" ? undefined : runOurs(table, csv, oursCsv, result);
  log(`${table.name}: peers`);
  // Passive OpenMP threads: on a shared machine spinning ones time other processes' load, not the fit.
  const peers = run(
    "/usr/bin/python3",
    [join(root, "bench/suite/peers.py"), csv, table.label, table.positive, ...(ours ? [oursCsv] : [])],
    root,
    { OMP_WAIT_POLICY: "PASSIVE" },
  );
  if (peers.error) {
    result.errors.peers = peers.error;
    return result;
  }
  const { rows, inputs, positive_rate, ours: oursScores, ...rest } = peers.json;
  Object.assign(result, {
    rows,
    inputs,
    positiveRate: positive_rate,
    peers: Object.fromEntries(PEERS.map((p) => [p, rest[p]])),
  });
  if (ours)
    result.ours = {
      ...oursScores,
      fitSeconds: ours.fitSeconds,
      peakRssMB: ours.peakRssMB,
      terms: ours.terms,
      forestTrees: ours.forestTrees,
      skippedRows: ours.skippedRows,
    };
  const v = verdict(result);
  log(`${table.name}: ours ${result.ours?.auc ?? "–"} vs ${v?.best.name ?? "–"} ${v?.best.auc ?? ""}`);
  return result;
}

function runOurs(table, csv, oursCsv, result) {
  log(`${table.name}: ours`);
  const settings = process.env.OURS_SETTINGS ? ["--settings", process.env.OURS_SETTINGS] : [];
  const ours = run(
    "node",
    [
      "--import",
      "tsx",
      join(root, "bench/compare-sklearn.ts"),
      csv,
      table.label,
      oursCsv,
      "--positive",
      table.positive,
      ...settings,
    ],
    join(root, "packages/cli"),
  );
  if (ours.error) result.errors.ours = ours.error;
  return ours.json;
}

/** Runs a step that prints one JSON line; a failure becomes the last line of its stderr. */
function run(command, args, cwd, env = {}) {
  const child = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 << 20,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.status !== 0) return { error: lastLine(child.stderr || child.error?.message || `exit ${child.status}`) };
  try {
    return { json: JSON.parse(child.stdout.trim().split("\n").at(-1)) };
  } catch {
    return { error: `no JSON result: ${lastLine(child.stdout)}` };
  }
}

function lastLine(text) {
  // Node ends an uncaught error with its stack and version; the message is the line before them.
  const lines = text
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "" && !/^\s+at |^Node\.js v/.test(l));
  return (lines.at(-1) ?? "").slice(0, 200);
}

function sharedDataDir(given) {
  const candidates = given ? [resolve(given)] : [join(root, "../shared/data"), join(root, "../../shared/data")];
  return candidates.find((dir) => existsSync(dir));
}
