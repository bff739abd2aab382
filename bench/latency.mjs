#!/usr/bin/env node
// Service latency and throughput in one-machine mode, over real HTTP on loopback:
//   - 50 sequential 1k-row jobs, upload -> COMPLETED (p50/p95; target p50 < 1 s);
//   - 20 concurrent 10k-row jobs (wall time, rows/s).
// Starts `retainwise local` in a temp data dir on a free port and stops it at the end.
// Usage: node bench/latency.mjs
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { root, startLocal } from "./local-service.mjs";

const POLL_MS = 20;

// The per-account upload cap and per-key rate limit (429s) would turn the 20 concurrent uploads and
// the 20 ms polling into retries: this measures the service, not its limits.
const service = await startLocal({
  RETAINWISE_HEARTBEAT_SECONDS: "0.25",
  RETAINWISE_MAX_CONCURRENT_UPLOADS: "32",
  RETAINWISE_RATE_LIMIT_PER_MINUTE: "1000000",
});
const { base, key } = service;
try {
  const telco = (await readFile(join(root, "tests/fixtures/telco-churn.csv"), "utf8")).trimEnd().split("\n");
  const csv = (rows) =>
    [telco[0], ...Array.from({ length: rows }, (_, i) => telco[1 + (i % (telco.length - 1))])].join("\n") + "\n";

  await runJob(csv(100)); // warm-up: first session.run, first connections
  const small = csv(1_000);
  const latencies = [];
  for (let i = 0; i < 50; i++) latencies.push(await runJob(small));
  latencies.sort((a, b) => a - b);
  console.log(
    `1k-row job, upload -> COMPLETED, 50 sequential: p50 ${pct(latencies, 0.5)} ms, p95 ${pct(latencies, 0.95)} ms, max ${latencies.at(-1)} ms`,
  );

  const medium = csv(10_000);
  const started = performance.now();
  await Promise.all(Array.from({ length: 20 }, () => runJob(medium)));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `20 concurrent 10k-row jobs: ${seconds.toFixed(2)} s wall, ${Math.round(200_000 / seconds).toLocaleString("en-US")} rows/s`,
  );
} finally {
  await service.stop();
}

async function runJob(body) {
  const started = performance.now();
  const response = await fetch(`${base}/v1/predictions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "text/csv" },
    body,
  });
  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  const { id } = await response.json();
  for (;;) {
    const row = await (
      await fetch(`${base}/v1/predictions/${id}`, { headers: { Authorization: `Bearer ${key}` } })
    ).json();
    if (row.status === "COMPLETED") return Math.round(performance.now() - started);
    if (row.status === "FAILED") throw new Error(`job failed: ${row.error?.message}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
