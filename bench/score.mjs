#!/usr/bin/env node
/**
 * Scoring throughput and peak memory of `retainwise score`, end to end (start-up, CSV parse,
 * onnxruntime, reasons, CSV write), on Telco-shaped files of N rows, next to the pandas +
 * scikit-learn script a data analyst would write instead (bench/pandas-score.py), in the same run.
 *
 *   node bench/score.mjs                        # 10k and 1M rows, on 1 thread and on every core
 *   node bench/score.mjs 10000 1000000 10000000 # 10M too (~1.3 GB file, minutes; pandas is skipped there: it needs ~14 GB)
 *   THREADS=1,2 REPEAT=3 node bench/score.mjs 1000000
 *   PANDAS=0 node bench/score.mjs 1000000       # without the peer (needs python3-pandas, python3-sklearn)
 *
 * `retainwise score` runs as the container runs it: the esbuild bundle (packages/cli/build.mjs)
 * with plain node, built into bench/out/app/. Inputs are generated once under bench/out/ (gitignored)
 * by sampling the fixture's rows with unique ids. Peak RSS is the whole process's, threads included,
 * from GNU time (`/usr/bin/time -f %M`), as is CPU time (user + system, every thread). Each command
 * runs REPEAT times (default 1), interleaved with the others so they see the same machine, and is
 * reported as a range.
 *
 * On a machine others are loading, only the ratios mean anything, and not even those for threads:
 * Linux's autogroup scheduling gives each session's processes one share of the cores, however many
 * threads they run, so a second thread cannot show its speed under load. CPU seconds still say
 * what the threads cost: a second thread pays when it adds little CPU, and its quiet-machine time
 * is about max(CPU / cores, the busiest thread).
 */
import { spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "out");
const APP = join(OUT, "app");
const FIXTURE = join(ROOT, "tests", "fixtures", "telco-churn.csv");
const GNU_TIME = "/usr/bin/time";
const PYTHON = "/usr/bin/python3";
const DEFAULT_ROWS = [10_000, 1_000_000];
/** Rows generated per write: large enough to amortise, small enough to keep the generator's memory flat. */
const BLOCK_ROWS = 10_000;

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const threadCounts = [...new Set((process.env.THREADS ?? `1,${availableParallelism()}`).split(",").map(Number))];
const repeat = Number(process.env.REPEAT ?? 1);
const withPandas = process.env.PANDAS !== "0";
/** pandas holds the whole file, ~1.4 KB a row: past this it would swap or be killed. */
const PANDAS_MAX_ROWS = 2_000_000;
if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed for peak RSS (apt-get install -y time)`);
mkdirSync(OUT, { recursive: true });
await buildApp();

const results = [];
for (const rows of sizes.length > 0 ? sizes : DEFAULT_ROWS) {
  const input = await generate(rows);
  const commands = threadCounts.map((threads) => ({
    program: "retainwise score",
    threads,
    argv: [
      "node",
      join(APP, "dist", "retainwise.mjs"),
      "score",
      input,
      "-o",
      join(OUT, `scored-${rows}.csv`),
      "--threads",
      String(threads),
    ],
  }));
  const peerRuns = withPandas && rows <= PANDAS_MAX_ROWS;
  if (peerRuns)
    commands.push({
      program: "pandas + sklearn",
      threads: 1,
      argv: [PYTHON, join(ROOT, "bench", "pandas-score.py"), input, join(OUT, `pandas-${rows}.csv`), FIXTURE],
    });
  const runs = commands.map(() => []);
  for (let round = 0; round < repeat; round++) {
    for (const [i, command] of commands.entries()) {
      const run = await measure(command.argv);
      if (run.code !== 0) throw new Error(`${command.argv.join(" ")} exited ${run.code}:\n${run.stderr}`);
      runs[i].push({ ...run, load: loadavg()[0] });
    }
  }
  const peer = peerRuns ? runs.at(-1) : undefined;
  for (const [i, command] of commands.entries()) results.push(row(rows, input, command, runs[i], peer));
}
console.table(results);

function row(rows, input, command, runs, peer) {
  const seconds = runs.map((r) => r.seconds);
  const range = (values, digits) => {
    const [lo, hi] = [Math.min(...values), Math.max(...values)].map((v) => v.toFixed(digits));
    return lo === hi ? lo : `${lo}–${hi}`;
  };
  // The ratio in each round against the peer's run of the same round: both saw the same machine.
  const ratios = peer && peer !== runs ? runs.map((r, i) => peer[i].seconds / r.seconds) : undefined;
  return {
    rows,
    program: command.program,
    threads: command.threads,
    "input MB": +(statSync(input).size / 1e6).toFixed(1),
    seconds: range(seconds, 2),
    "rows/s":
      range(
        seconds.map((s) => rows / s / 1000),
        0,
      ) + "k",
    "peak RSS MB": range(
      runs.map((r) => r.peakRssKb / 1024),
      0,
    ),
    "CPU s": range(
      runs.map((r) => r.cpuSeconds),
      1,
    ),
    "× pandas speed": ratios ? range(ratios, 2) : "",
    "load avg": range(
      runs.map((r) => r.load),
      1,
    ),
  };
}

/** The bundle the container runs, with onnxruntime-node beside it as the image installs it (see tests/deploy/bundle.test.ts). */
async function buildApp() {
  rmSync(APP, { recursive: true, force: true });
  const { code, stderr } = await measure(["node", join(ROOT, "packages", "cli", "build.mjs"), join(APP, "dist")]);
  if (code !== 0) throw new Error(`bundling failed:\n${stderr}`);
  const ort = dirname(
    createRequire(join(ROOT, "packages", "core", "package.json")).resolve("onnxruntime-node/package.json"),
  );
  mkdirSync(join(APP, "node_modules"), { recursive: true });
  symlinkSync(realpathSync(ort), join(APP, "node_modules", "onnxruntime-node"));
}

/** Telco rows sampled with a stride (so neighbouring rows differ) and ids made unique. */
async function generate(rows) {
  const path = join(OUT, `telco-${rows}.csv`);
  if (existsSync(path)) return path;
  const [header, ...lines] = readFileSync(FIXTURE, "utf8").trimEnd().split("\n");
  const bodies = lines.map((line) => line.slice(line.indexOf(",")));
  const file = createWriteStream(path);
  file.write(header + "\n");
  for (let n = 0; n < rows; n += BLOCK_ROWS) {
    const block = [];
    for (let i = n; i < Math.min(rows, n + BLOCK_ROWS); i++)
      block.push(`B${i.toString(36).padStart(6, "0")}${bodies[(i * 7919) % bodies.length]}`);
    if (!file.write(block.join("\n") + "\n")) await new Promise((resolve) => file.once("drain", resolve));
  }
  await new Promise((resolve, reject) => file.end((error) => (error ? reject(error) : resolve())));
  return path;
}

/** Runs `argv` under GNU time: wall seconds, peak RSS, exit code. */
function measure(argv) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(GNU_TIME, ["-f", "RW_PEAK_RSS_KB=%M RW_CPU=%U+%S", ...argv], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [user, system] = (/RW_CPU=([\d.]+)\+([\d.]+)/.exec(stderr) ?? [0, 0, 0]).slice(1).map(Number);
      resolve({
        code,
        seconds,
        peakRssKb: Number(/RW_PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1]),
        cpuSeconds: user + system,
        stderr,
      });
    });
  });
}
