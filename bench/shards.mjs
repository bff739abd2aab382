#!/usr/bin/env node
// Shards (issue 24): one large file scored by 1, 2 and 4 worker processes on this machine, one
// thread each. `retainwise local` (API, embedded PostgreSQL served on a port, its own worker) plus
// `retainwise worker` processes on the same database and files; the file is uploaded over HTTP and
// timed from the upload's 202 to COMPLETED. A whole-file run (sharding off, one worker, one thread)
// is the peer every ratio is taken against, in the same run: the machine is shared and noisy.
//
//   node bench/shards.mjs                 # 10M rows, 1 2 4 workers
//   node bench/shards.mjs --rows 2000000 --workers 1,2
//
// Prints a markdown table with the load average. Everything lives in a temp dir removed at the end.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { freePort, root } from "./local-service.mjs";

const { values: flags } = parseArgs({
  options: {
    rows: { type: "string", default: "10000000" },
    workers: { type: "string", default: "1,2,4" },
    "shard-mb": { type: "string", default: "64" },
  },
});
const ROWS = Number(flags.rows);
const WORKERS = flags.workers.split(",").map(Number);
const SHARD_BYTES = Number(flags["shard-mb"]) * 1024 * 1024;
const BIN = join(root, "node_modules/.bin/retainwise");

const dir = await mkdtemp(join(tmpdir(), "rw-bench-shards-"));
try {
  const csv = join(dir, "customers.csv");
  await writeCustomers(csv, ROWS);
  const bytes = (await stat(csv)).size;
  const runs = [
    { label: "whole file, 1 worker", workers: 1, sharded: false },
    ...WORKERS.map((workers) => ({
      label: `shards, ${workers} worker${workers > 1 ? "s" : ""}`,
      workers,
      sharded: true,
    })),
  ];
  const results = [];
  for (const run of runs) {
    const load = loadavg()[0];
    const seconds = await timeRun(csv, bytes, run);
    results.push({ ...run, seconds, load });
    console.error(`${run.label}: ${seconds.toFixed(1)} s (load ${load.toFixed(1)})`);
  }
  const whole = results[0].seconds;
  const one = results.find((r) => r.sharded && r.workers === 1)?.seconds;
  console.log(
    `\n${ROWS.toLocaleString("en-US")} rows, ${(bytes / 1024 ** 2).toFixed(0)} MiB, shards of ${flags["shard-mb"]} MiB, one thread a worker, ${new Date().toISOString().slice(0, 16)}\n`,
  );
  console.log(
    "| run | wall time | vs whole file | vs 1 sharded worker | load (1 min) |\n| --- | --- | --- | --- | --- |",
  );
  for (const r of results) {
    console.log(
      `| ${r.label} | ${r.seconds.toFixed(1)} s | ${(whole / r.seconds).toFixed(2)}x | ${one ? `${(one / r.seconds).toFixed(2)}x` : "-"} | ${r.load.toFixed(1)} |`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** One fresh service with `workers` worker processes (its own included), the file uploaded and timed to COMPLETED. */
async function timeRun(csv, bytes, { workers, sharded }) {
  const dataDir = await mkdtemp(join(dir, "data-"));
  const env = {
    ...process.env,
    RETAINWISE_LOG_LEVEL: "warn",
    RETAINWISE_WORKER_CONCURRENCY: "1",
    RETAINWISE_SCORING_THREADS: "1",
    RETAINWISE_MAX_UPLOAD_BYTES: String(bytes + 1024),
    RETAINWISE_SHARD_MIN_BYTES: String(sharded ? 1 : bytes + 1),
    RETAINWISE_SHARD_BYTES: String(SHARD_BYTES),
  };
  const port = await freePort();
  const local = spawn(
    BIN,
    ["local", "--port", String(port), "--data-dir", dataDir, "--pg-port", String(await freePort())],
    { env, stdio: ["ignore", "pipe", "inherit"] },
  );
  const { key, databaseUrl } = await readStartup(local);
  const extra = Array.from({ length: workers - 1 }, () =>
    spawn(BIN, ["worker"], {
      env: { ...env, DATABASE_URL: databaseUrl, RETAINWISE_DATA_DIR: dataDir },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    const auth = { Authorization: `Bearer ${key}` };
    const response = await fetch(`${base}/v1/predictions`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "text/csv" },
      body: Readable.toWeb(createReadStream(csv)),
      duplex: "half",
    });
    if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
    const uploaded = performance.now();
    const { id } = await response.json();
    for (;;) {
      const row = await (await fetch(`${base}/v1/predictions/${id}`, { headers: auth })).json();
      if (row.status === "COMPLETED") return (performance.now() - uploaded) / 1000;
      if (row.status === "FAILED" || row.status === "CANCELED")
        throw new Error(`prediction ${row.status}: ${row.error?.message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    for (const child of [...extra, local]) child.kill("SIGINT");
    await Promise.all([...extra, local].map((child) => (child.exitCode === null ? once(child, "exit") : undefined)));
  }
}

async function readStartup(child) {
  let out = "";
  for await (const chunk of child.stdout) {
    out += chunk;
    const key = /API key: (\S+)/.exec(out);
    const database = /Database \(for sst dev\): (\S+)/.exec(out);
    if (key && database) return { key: key[1], databaseUrl: database[1] };
  }
  throw new Error("retainwise local exited before printing its key and database");
}

/** The Telco fixture's rows repeated with fresh ids. */
async function writeCustomers(path, rows) {
  const [header, ...records] = (await readFile(join(root, "tests/fixtures/telco-churn.csv"), "utf8"))
    .trimEnd()
    .split("\n");
  const out = createWriteStream(path);
  out.write(header + "\n");
  for (let i = 0; i < rows; i++) {
    const record = records[i % records.length];
    if (!out.write(`C${i}${record.slice(record.indexOf(","))}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
