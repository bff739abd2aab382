#!/usr/bin/env node
/**
 * Scoring throughput and peak memory of `retainwise score`, end to end (CSV parse, onnxruntime,
 * reasons, CSV write), on Telco-shaped files of N rows.
 *
 *   node bench/score.mjs              # 10k and 1M rows, on 1 thread and on every core
 *   node bench/score.mjs 10000 10000000
 *   THREADS=1,2,4 node bench/score.mjs 1000000
 *
 * Inputs are generated once under bench/out/ (gitignored) by sampling the fixture's rows with
 * unique ids. Peak RSS comes from GNU time (`/usr/bin/time -f %M`) when installed; otherwise the
 * child reports `process.resourceUsage().maxRSS` through a preloaded hook.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "out");
const FIXTURE = join(ROOT, "tests", "fixtures", "telco-churn.csv");
const BIN = join(ROOT, "node_modules", ".bin", "retainwise");
const GNU_TIME = "/usr/bin/time";
const DEFAULT_ROWS = [10_000, 1_000_000];
/** Rows generated per write: large enough to amortise, small enough to keep the generator's memory flat. */
const BLOCK_ROWS = 10_000;

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const threadCounts = (process.env.THREADS ?? `1,${availableParallelism()}`).split(",").map(Number);
mkdirSync(OUT, { recursive: true });
const results = [];
for (const rows of sizes.length > 0 ? sizes : DEFAULT_ROWS) for (const threads of new Set(threadCounts)) results.push(await bench(rows, threads));
console.table(results);

async function bench(rows, threads) {
  const input = await generate(rows);
  const output = join(OUT, `scored-${rows}.csv`);
  const started = process.hrtime.bigint();
  const { code, peakRssKb, stderr } = await scoreChild(input, output, threads);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`retainwise score exited ${code} on ${rows} rows:\n${stderr}`);
  return {
    rows,
    threads,
    "input MB": +(statSync(input).size / 1e6).toFixed(1),
    seconds: +seconds.toFixed(2),
    "rows/s": Math.round(rows / seconds),
    "peak RSS MB": peakRssKb === undefined ? "n/a" : +(peakRssKb / 1024).toFixed(0),
  };
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
    for (let i = n; i < Math.min(rows, n + BLOCK_ROWS); i++) block.push(`B${i.toString(36).padStart(6, "0")}${bodies[(i * 7919) % bodies.length]}`);
    if (!file.write(block.join("\n") + "\n")) await new Promise((resolve) => file.once("drain", resolve));
  }
  await new Promise((resolve, reject) => file.end((error) => (error ? reject(error) : resolve())));
  return path;
}

function scoreChild(input, output, threads) {
  const args = ["score", input, "-o", output, "--threads", String(threads)];
  const useGnuTime = existsSync(GNU_TIME);
  const rssReport = join(OUT, "max-rss.txt");
  const env = { ...process.env };
  if (!useGnuTime) {
    // Fallback: the child writes its own peak RSS (KiB) when it exits.
    const hook = join(OUT, "report-rss.cjs");
    writeFileSync(hook, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(rssReport)}, String(process.resourceUsage().maxRSS)));\n`);
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${hook}`;
  }
  const [command, commandArgs] = useGnuTime ? [GNU_TIME, ["-f", "RW_PEAK_RSS_KB=%M", BIN, ...args]] : [BIN, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const match = /RW_PEAK_RSS_KB=(\d+)/.exec(stderr);
      const peakRssKb = match ? Number(match[1]) : existsSync(rssReport) ? Number(readFileSync(rssReport, "utf8")) : undefined;
      resolve({ code, peakRssKb, stderr });
    });
  });
}
