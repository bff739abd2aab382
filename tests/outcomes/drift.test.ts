import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARALLEL_MIN_BYTES } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { readTelco, TELCO_ROWS, toCsv, type Table } from "../support/telco.ts";

/**
 * Drift over real HTTP (local mode, two scoring threads for files over 8 MiB): files scored with the
 * built-in model, whose card holds the share of its training rows (the whole Telco fixture) per bin.
 */
let service: RunningService;
let key: string;
let telco: Table;

beforeAll(async () => {
  // The polls of waitFor (10 a second) are not what this file tests: no per-key rate limit in the way.
  service = await startService("local", {
    RETAINWISE_SCORING_THREADS: "2",
    RETAINWISE_RATE_LIMIT_PER_MINUTE: "1000000",
  });
  key = await service.key("acme");
  telco = readTelco();
});
afterAll(() => service?.stop());

const column = (name: string) => telco.headers.indexOf(name);

async function drift(rows: string[][]): Promise<{ id: string; report: Record<string, any> }> {
  const upload = await service.api("/v1/predictions", key, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: toCsv(telco.headers, rows),
  });
  const { id } = (await upload.json()) as { id: string };
  expect((await service.waitFor(id, key, "COMPLETED", 180_000)).status).toBe("COMPLETED");
  return { id, report: (await (await service.api(`/v1/predictions/${id}/drift`, key)).json()) as Record<string, any> };
}

describe("drift of a scored file from the model's training data", () => {
  it("is about 0 in every column for the model's own training file, nothing flagged", async () => {
    const { report } = await drift(telco.rows);
    expect(report).toMatchObject({ status: "measured", threshold: 0.2, rows: TELCO_ROWS, flagged: 0 });
    expect(report.columns).toHaveLength(19);
    for (const c of report.columns) expect(c.psi).toBeLessThan(1e-9);
  });

  it("flags tenure and contract for new month-to-month customers, on the prediction too", async () => {
    const shifted = telco.rows.filter(
      (r) => r[column("Contract")] === "Month-to-month" && Number(r[column("tenure")]) < 12,
    );
    const { id, report } = await drift(shifted);
    const byName = new Map<string, Record<string, any>>(report.columns.map((c: { name: string }) => [c.name, c]));
    expect(byName.get("tenure")).toMatchObject({ label: "Tenure (months)", flagged: true, unseenShare: null });
    expect(byName.get("tenure")!.psi).toBeGreaterThan(0.2);
    expect(byName.get("Contract")!.psi).toBeGreaterThan(0.2);
    const prediction = (await (await service.api(`/v1/predictions/${id}`, key)).json()) as { driftFlagged: string[] };
    expect(prediction.driftFlagged).toEqual(expect.arrayContaining(["tenure", "Contract"]));
    expect(prediction.driftFlagged).toHaveLength(report.flagged);
  });

  it("counts categories the model never learned as unseen", async () => {
    const rows = telco.rows
      .slice(0, 1000)
      .map((r, i) => r.map((cell, j) => (j === column("PaymentMethod") && i % 4 === 0 ? "Crypto" : cell)));
    const { report } = await drift(rows);
    const payment = report.columns.find((c: { name: string }) => c.name === "PaymentMethod");
    expect(payment.unseenShare).toBeCloseTo(0.25, 12);
    expect(payment.bins.at(-1)).toMatchObject({ bin: "(other)", actual: 0.25 });
  });

  it("adds up the counts of every scoring thread: a file over 8 MiB of training-file copies drifts by about 0", {
    timeout: 240_000,
  }, async () => {
    const copies = 13;
    const rows = Array.from({ length: copies }, (_, copy) =>
      telco.rows.map((r) => r.map((cell, j) => (j === column("customerID") ? `${copy}-${cell}` : cell))),
    ).flat();
    expect(Buffer.byteLength(toCsv(telco.headers, rows))).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const { report } = await drift(rows);
    expect(report).toMatchObject({ status: "measured", rows: copies * TELCO_ROWS, flagged: 0 });
    for (const c of report.columns) expect(c.psi).toBeLessThan(1e-9);
  });
});
