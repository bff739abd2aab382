#!/usr/bin/env node
// Training in one-machine mode, over real HTTP on loopback, one fresh `retainwise local` per size:
//   - upload -> READY for a labeled table of N rows (the MLC fixture's rows repeated, fresh ids);
//   - peak RSS of the process (API + worker + training thread) after that training;
//   - upload -> COMPLETED of a 1,500-row file scored with the new model, first (loads the session
//     from the store) and second time (cached session).
// Usage: node bench/models.mjs [rows ...]   (default 5000 50000 100000)
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { root, startLocal } from "./local-service.mjs";

const sizes = process.argv.slice(2).map(Number);
const [header, ...rows] = (await readFile(join(root, "tests/fixtures/mlc-churn-1500.csv"), "utf8")).trimEnd().split("\n");
const table = (n) => [header, ...Array.from({ length: n }, (_, i) => `"B-${i}"${rows[i % rows.length].slice(rows[i % rows.length].indexOf(","))}`)].join("\n") + "\n";
const scoring = table(rows.length);

for (const size of sizes.length > 0 ? sizes : [5_000, 50_000, 100_000]) {
  const service = await startLocal({ RETAINWISE_HEARTBEAT_SECONDS: "0.5" });
  const call = (path, init = {}) => fetch(service.base + path, { ...init, headers: { Authorization: `Bearer ${service.key}`, ...init.headers } });
  try {
    const before = service.peakRssMb();
    let started = performance.now();
    const model = await (await call("/v1/models?label=churn&name=bench", { method: "POST", headers: { "Content-Type": "text/csv" }, body: table(size) })).json();
    const ready = await waitFor(call, `/v1/models/${model.id}`, "READY");
    const trainSeconds = (performance.now() - started) / 1000;
    const timings = [];
    for (let i = 0; i < 2; i++) {
      started = performance.now();
      const { id } = await (await call(`/v1/predictions?model=${model.id}`, { method: "POST", headers: { "Content-Type": "text/csv" }, body: scoring })).json();
      await waitFor(call, `/v1/predictions/${id}`, "COMPLETED");
      timings.push(Math.round(performance.now() - started));
    }
    console.log(
      `${size.toLocaleString("en-US")} rows: upload -> READY ${trainSeconds.toFixed(1)} s (held-out AUC ${ready.metrics.heldOut?.auc.toFixed(3)}); ` +
        `peak RSS ${service.peakRssMb()} MB (${before} MB before); 1,500-row prediction with a fresh model ${timings[0]} ms, cached ${timings[1]} ms`,
    );
  } finally {
    await service.stop();
  }
}

async function waitFor(call, path, status) {
  for (;;) {
    const row = await (await call(path)).json();
    if (row.status === status) return row;
    if (row.status === "FAILED") throw new Error(`${path} failed: ${row.error?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
