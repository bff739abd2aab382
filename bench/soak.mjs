#!/usr/bin/env node
// Soak (issue 13, "Liveness under faults"): `retainwise local` in a child process under a bounded
// stream of uploads (5k / 50k / 300k Telco rows with distinct ids) while it is SIGKILLed twice, its
// PostgreSQL is killed once and its results directory is unwritable for 6 s; then every upload that
// was acknowledged (202) must be COMPLETED exactly once: exact row counts, and a result file with
// each customer id once. Prints a figures table (markdown); exits 1 if anything was lost, doubled,
// failed or hung.
//
//   node bench/soak.mjs                       # 5 minutes of load, at most 1 upload a second
//   node bench/soak.mjs --minutes 15 --rate 2 # the issue's 15-minute soak
//   node bench/soak.mjs --help               # every option
//
// Loopback only (127.0.0.1); everything lives in a temp dir removed at the end.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { freePort, root } from "./local-service.mjs";
import { killPostgres, restoreOnExit, startService, storeOutage, untilReady } from "./soak-service.mjs";

const USAGE = `Usage: node bench/soak.mjs [--minutes N] [--rate N] [--max-backlog N] [--drain-minutes N] [--seed N] [--keep]
  --minutes N        load phase, minutes (default 5)
  --rate N           uploads a second, at most (default 1)
  --max-backlog N    acknowledged jobs not yet finished before uploads pause (default 12)
  --drain-minutes N  then anything unfinished is a hang (default 10)
  --seed N           upload sizes and ids (default 13)
  --keep             keep the temp dir (data, service.log)`;

const { values: flags } = parseArgsOrExit({
  options: {
    help: { type: "boolean", short: "h", default: false },
    minutes: { type: "string", default: "5" },
    rate: { type: "string", default: "1" },
    "max-backlog": { type: "string", default: "12" },
    "drain-minutes": { type: "string", default: "10" },
    seed: { type: "string", default: "13" },
    keep: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const LOAD_MS = Number(flags.minutes) * 60_000;
const INTERVAL_MS = 1000 / Number(flags.rate);
const MAX_BACKLOG = Number(flags["max-backlog"]);
const DRAIN_MS = Number(flags["drain-minutes"]) * 60_000;
/** Upload sizes and how often each is picked. */
const SIZES = [
  { rows: 5_000, weight: 0.6 },
  { rows: 50_000, weight: 0.33 },
  { rows: 300_000, weight: 0.07 },
];
/** `parseArgs`, but an unknown or malformed option prints the usage and exits 2 instead of a stack trace. */
function parseArgsOrExit(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
}

/** When each fault strikes, as a share of the load phase. */
const FAULTS = [
  { at: 0.2, name: "SIGKILL of the process", run: () => killProcess() },
  { at: 0.4, name: "SIGKILL of PostgreSQL", run: () => killDatabase() },
  { at: 0.6, name: "results dir unwritable 6 s", run: () => outage(6) },
  { at: 0.8, name: "SIGKILL of the process", run: () => killProcess() },
];
const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED"]);

const dir = await mkdtemp(join(tmpdir(), "rw-soak-"));
const dataDir = join(dir, "data");
const logFile = join(dir, "service.log");
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const random = mulberry32(Number(flags.seed));
const loadAtStart = loadavg()[0];
/** Acknowledged uploads by id: rows, when acknowledged, when finished, the final JSON. */
const jobs = new Map();
const uploads = { attempted: 0, refused: new Map(), failed: 0, inFlight: 0 };
const faults = [];
const peakRss = [];
let service;

process.once("SIGINT", async () => {
  for (const restore of restoreOnExit) await restore();
  await service?.kill("SIGKILL");
  process.exit(130);
});

console.error(
  `soak: ${flags.minutes} min of load at most ${flags.rate} upload/s, backlog ${MAX_BACKLOG}; temp dir ${dir}`,
);
const bodies = await telcoBodies();
service = await startService({ dataDir, port, logFile });
const firstReadyMs = service.readyMs;
const startedAt = Date.now();
const poller = pollJobs();
await Promise.all([load(), strikeFaults()]);
const loadEndedAt = Date.now();
console.error(`soak: load over (${jobs.size} acknowledged); draining`);
const drained = await drain();
poller.stop();
const verified = await verify();
peakRss.push(service.peakRssMb());
const stopping = Date.now();
const [exitCode] = await service.kill("SIGTERM");
const sigtermMs = Date.now() - stopping;
const log = await readFile(logFile, "utf8");
printFigures();
if (flags.keep) console.error(`soak: kept ${dir}`);
else await rm(dir, { recursive: true, force: true });
process.exit(verified.problems.length === 0 && drained ? 0 : 1);

async function load() {
  while (Date.now() - startedAt < LOAD_MS) {
    const backlog = [...jobs.values()].filter((job) => !job.doneAt).length;
    if (backlog < MAX_BACKLOG && uploads.inFlight < 4) void upload(pick());
    await sleep(INTERVAL_MS);
  }
  while (uploads.inFlight > 0) await sleep(100);
}

function pick() {
  let r = random();
  for (const size of SIZES) {
    r -= size.weight;
    if (r < 0) return size.rows;
  }
  return SIZES[0].rows;
}

async function upload(rows) {
  uploads.attempted++;
  uploads.inFlight++;
  const sentAt = Date.now();
  try {
    const response = await fetch(`${base}/v1/predictions?filename=soak-${rows}.csv`, {
      method: "POST",
      headers: { Authorization: `Bearer ${service.key}`, "Content-Type": "text/csv" },
      body: bodies.get(rows),
      signal: AbortSignal.timeout(180_000),
    });
    if (response.status !== 202) {
      uploads.refused.set(response.status, (uploads.refused.get(response.status) ?? 0) + 1);
      await response.body?.cancel();
      return;
    }
    const { id } = await response.json();
    jobs.set(id, { rows, sentAt, ackedAt: Date.now(), doneAt: null, final: null });
  } catch {
    uploads.failed++; // the process was down or killed mid-upload: not acknowledged, so not owed
  } finally {
    uploads.inFlight--;
  }
}

async function strikeFaults() {
  for (const fault of FAULTS) {
    await sleep(startedAt + fault.at * LOAD_MS - Date.now());
    const began = Date.now();
    console.error(`soak: ${fault.name} at ${Math.round((began - startedAt) / 1000)} s`);
    const detail = await fault.run();
    faults.push({ name: fault.name, atSeconds: Math.round((began - startedAt) / 1000), ...detail });
  }
}

async function killProcess() {
  peakRss.push(service.peakRssMb());
  await service.kill("SIGKILL");
  const killedAt = Date.now();
  service = await startService({ dataDir, port, logFile });
  return { recovery: `ready again ${seconds(Date.now() - killedAt)} s later` };
}

async function killDatabase() {
  await killPostgres(dataDir);
  const killedAt = Date.now();
  const seen = await untilReady(base, 60_000);
  return { recovery: `/readyz ${[...seen].join(" -> ")} in ${seconds(Date.now() - killedAt)} s` };
}

async function outage(durationSeconds) {
  await storeOutage(dataDir, durationSeconds);
  return { recovery: `writable again after ${durationSeconds} s` };
}

/** Polls every unfinished acknowledged job once a second (errors while the process is down are ignored). */
function pollJobs() {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const pending = [...jobs.entries()].filter(([, job]) => !job.doneAt);
      for (const [id, job] of pending) {
        const body = await getJson(`/v1/predictions/${id}`).catch(() => null);
        if (body && TERMINAL.has(body.status)) Object.assign(job, { doneAt: Date.now(), final: body });
      }
      await sleep(1000);
    }
  };
  const running = loop();
  return {
    stop: () => {
      stopped = true;
      return running;
    },
  };
}

async function drain() {
  const deadline = Date.now() + DRAIN_MS;
  while ([...jobs.values()].some((job) => !job.doneAt)) {
    if (Date.now() > deadline) return false;
    await sleep(1000);
  }
  return true;
}

/** Every acknowledged job: COMPLETED, exact counts, and a result with each of its customer ids exactly once. */
async function verify() {
  const problems = [];
  let rows = 0;
  for (const [id, job] of jobs) {
    const final = job.final;
    if (!final) {
      problems.push(`${id} (${job.rows} rows) never finished: a hang`);
      continue;
    }
    if (final.status !== "COMPLETED") {
      problems.push(`${id} (${job.rows} rows) ${final.status}: ${final.error?.message ?? ""}`);
      continue;
    }
    if (final.progress.rowsProcessed !== job.rows || final.progress.rowsFailed !== 0)
      problems.push(`${id}: ${final.progress.rowsProcessed} rows processed of ${job.rows}`);
    const ids = await resultIds(id);
    if (ids.lines !== job.rows || ids.distinct !== job.rows)
      problems.push(`${id}: result has ${ids.lines} lines, ${ids.distinct} distinct ids, for ${job.rows} rows`);
    rows += ids.distinct;
  }
  return { problems, rows };
}

async function resultIds(id) {
  const { url } = await getJson(`/v1/predictions/${id}/download`);
  const response = await fetch(url);
  const seen = new Set();
  let lines = -1; // the header
  for await (const line of createInterface({ input: Readable.fromWeb(response.body) })) {
    if (!line) continue;
    lines++;
    if (lines > 0) seen.add(line.slice(0, line.indexOf(",")));
  }
  return { lines, distinct: seen.size };
}

function printFigures() {
  const all = [...jobs.values()];
  const completed = all.filter((job) => job.final?.status === "COMPLETED");
  const attempts = completed.map((job) => job.final.attempts ?? 1);
  const bySize = SIZES.map(({ rows }) => {
    const these = completed.filter((job) => job.rows === rows).map((job) => job.doneAt - job.ackedAt);
    return `${rows.toLocaleString("en-US")}: ${all.filter((job) => job.rows === rows).length} acknowledged, ack -> COMPLETED p50 ${seconds(percentile(these, 0.5))} s / max ${seconds(Math.max(0, ...these))} s`;
  });
  const busySeconds = (Math.max(...all.map((job) => job.doneAt ?? 0)) - startedAt) / 1000;
  const count = (text) => log.split("\n").filter((line) => line.includes(text)).length;
  const rowsOf = (list) => list.reduce((sum, job) => sum + job.rows, 0).toLocaleString("en-US");
  const table = [
    [
      "load phase",
      `${seconds(loadEndedAt - startedAt)} s (then drained in ${seconds(Date.now() - loadEndedAt)} s), at most ${flags.rate} upload/s, backlog ${MAX_BACKLOG}, seed ${flags.seed}`,
    ],
    [
      "uploads",
      `${uploads.attempted} sent: ${jobs.size} acknowledged, ${uploads.failed} cut off while the process was down or killed, refused: ${[...uploads.refused].map(([status, n]) => `${n} x ${status}`).join(", ") || "none"}`,
    ],
    ["acknowledged by size", bySize.join("; ")],
    [
      "acknowledged jobs COMPLETED, exact",
      `${completed.length} of ${jobs.size}, ${verified.rows.toLocaleString("en-US")} of ${rowsOf(all)} rows, each customer id once in its result (${verified.problems.length} problems)`,
    ],
    [
      "attempts per completed job",
      `1: ${attempts.filter((a) => a === 1).length}, 2: ${attempts.filter((a) => a === 2).length}, 3+: ${attempts.filter((a) => a >= 3).length}`,
    ],
    [
      "throughput",
      `${Math.round(verified.rows / busySeconds).toLocaleString("en-US")} rows/s over ${Math.round(busySeconds)} s, faults included`,
    ],
    ...faults.map((fault) => [`fault at ${fault.atSeconds} s: ${fault.name}`, fault.recovery]),
    [
      "service log",
      `${count("job will be retried")} retries, ${count("job made no progress")} stalls, ${count("embedded postgres exited unexpectedly")} postgres deaths noticed, ${count("worker iteration failed")} worker iteration errors`,
    ],
    [
      "first start / SIGTERM at the end",
      `ready in ${seconds(firstReadyMs)} s / exited ${exitCode} in ${seconds(sigtermMs)} s`,
    ],
    ["peak RSS per incarnation", `${peakRss.join(", ")} MB (PostgreSQL apart)`],
    ["machine", `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end (2 cores)`],
  ];
  console.log("| figure | value |\n| --- | --- |");
  for (const [name, value] of table) console.log(`| ${name} | ${value} |`);
  for (const problem of verified.problems.slice(0, 20)) console.log(`PROBLEM: ${problem}`);
  if (!drained) console.log("PROBLEM: jobs still unfinished after the drain: a hang");
}

async function getJson(path) {
  const response = await fetch(`${base}${path}`, {
    headers: { Authorization: `Bearer ${service.key}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

/** The Telco rows repeated with distinct ids (`S<size>-<n>`), one body per size, built once. */
async function telcoBodies() {
  const [header, ...records] = (await readFile(join(root, "tests/fixtures/telco-churn.csv"), "utf8"))
    .trimEnd()
    .split("\n");
  const bodies = new Map();
  for (const { rows } of SIZES) {
    const lines = [header];
    for (let i = 0; i < rows; i++) {
      const record = records[i % records.length];
      lines.push(`S${rows}-${i}${record.slice(record.indexOf(","))}`);
    }
    bodies.set(rows, Buffer.from(lines.join("\n") + "\n"));
  }
  return bodies;
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function seconds(ms) {
  return (ms / 1000).toFixed(1);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A small seeded PRNG, so a run's mix of sizes can be repeated. */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
