/**
 * Training in one-machine mode, over real HTTP on loopback, one fresh `retainwise local` per size
 * (issue 12's benchmark):
 *   - upload -> READY for a labeled table of N distinct rows (the seeded synthetic churn table of
 *     training/boost/synthetic-table.ts written as CSV, so held-out rows never repeat training rows);
 *   - peak RSS of the process (API + worker + training thread) after that training;
 *   - upload -> COMPLETED of a 1,500-row file (another seed) scored with the new model, first
 *     (loads the session from the store) and second time (cached session).
 * Run: (cd packages/cli && node --import tsx ../../bench/models.ts [rows ...])   (default 5000 50000 100000)
 */
import { syntheticChurnTable } from "../packages/core/src/training/boost/synthetic-table.ts";
import type { TrainingTable } from "../packages/core/src/training/table.ts";
import { startLocal } from "./local-service.mjs";

const sizes = process.argv.slice(2).map(Number);
const scoring = csvOf(syntheticChurnTable({ rows: 1_500, seed: 2 }));

for (const size of sizes.length > 0 ? sizes : [5_000, 50_000, 100_000]) {
  const service = await startLocal({ RETAINWISE_HEARTBEAT_SECONDS: "0.5" });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(service.base + path, { ...init, headers: { Authorization: `Bearer ${service.key}`, ...init.headers } });
  try {
    const body = csvOf(syntheticChurnTable({ rows: size, seed: 1 }));
    const before = service.peakRssMb();
    let started = performance.now();
    const model = await (
      await call("/v1/models?label=churn&name=bench", { method: "POST", headers: { "Content-Type": "text/csv" }, body })
    ).json();
    const ready = await waitFor(call, `/v1/models/${model.id}`, "READY");
    const trainSeconds = (performance.now() - started) / 1000;
    const timings = [];
    for (let i = 0; i < 2; i++) {
      started = performance.now();
      const { id } = await (
        await call(`/v1/predictions?model=${model.id}`, {
          method: "POST",
          headers: { "Content-Type": "text/csv" },
          body: scoring,
        })
      ).json();
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

/** The table as a customer would export it: an id column, its inputs, and a Yes/No label. */
function csvOf(table: TrainingTable): string {
  const lines = [["customer_id", ...table.inputs.map((input) => input.name), "churn"].join(",")];
  for (let r = 0; r < table.rows; r++) {
    const cells = table.inputs.map((input) => {
      if (input.role === "numeric") return Number.isNaN(input.values[r]!) ? "" : String(input.values[r]);
      const code = input.codes[r]!;
      return code < 0 ? "" : input.categories[code]!;
    });
    lines.push([`C-${r}`, ...cells, table.labels[r] ? "Yes" : "No"].join(","));
  }
  return lines.join("\n") + "\n";
}

async function waitFor(call: (path: string) => Promise<Response>, path: string, status: string) {
  for (;;) {
    const row = await (await call(path)).json();
    if (row.status === status) return row;
    if (row.status === "FAILED") throw new Error(`${path} failed: ${row.error?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
