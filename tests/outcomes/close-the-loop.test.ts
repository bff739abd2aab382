import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_MODEL_ID } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { readTelco, selectColumns, toCsv, type Table } from "../support/telco.ts";

/**
 * The loop over real HTTP in local mode: score Telco rows without their label, tell the service
 * what happened (the fixture's Churn column), and read back how the probabilities did. Every
 * expected number is computed here, offline, from the scored file the service returned.
 */
let service: RunningService;
let key: string;
let telco: Table;
beforeAll(async () => {
  service = await startService("local");
  key = await service.key("acme");
  telco = readTelco();
});
afterAll(() => service.stop());

const CHURN = () => telco.headers.indexOf("Churn");
const ID = () => telco.headers.indexOf("customerID");

/** Uploads the rows without their Churn column, waits for the result and returns its id and probabilities by customer. */
async function score(rows: string[][], as = key): Promise<{ id: string; probabilities: Map<string, number> }> {
  const unlabeled = selectColumns(
    { headers: telco.headers, rows },
    telco.headers.filter((h) => h !== "Churn"),
  );
  const upload = await service.api("/v1/predictions", as, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: toCsv(unlabeled.headers, unlabeled.rows),
  });
  const { id } = (await upload.json()) as { id: string };
  expect((await service.waitFor(id, as, "COMPLETED")).status).toBe("COMPLETED");
  const link = (await (await service.api(`/v1/predictions/${id}/download`, as)).json()) as { url: string };
  // customer_id and churn_probability come first and Telco ids hold no commas or quotes: a split reads them exactly.
  const [header, ...lines] = (await (await fetch(link.url)).text()).trimEnd().split("\n");
  expect(header!.startsWith("customer_id,churn_probability,")).toBe(true);
  return {
    id,
    probabilities: new Map(lines.map((line) => line.split(",")).map(([customer, p]) => [customer!, Number(p)])),
  };
}

function outcomesCsv(
  rows: string[][],
  options: { header?: string; observedAt?: string; invert?: boolean } = {},
): string {
  const lines = rows.map((r) => {
    const churned = (r[CHURN()] === "Yes") !== (options.invert ?? false) ? "yes" : "no";
    return [r[ID()], churned, ...(options.observedAt ? [options.observedAt] : [])].join(",");
  });
  return (
    [options.header ?? (options.observedAt ? "customer_id,churned,observed_at" : "customer_id,churned"), ...lines].join(
      "\n",
    ) + "\n"
  );
}

async function sendOutcomes(body: string, as = key): Promise<{ status: number; json: Record<string, any> }> {
  const response = await service.api("/v1/outcomes", as, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function performance(id: string, as = key): Promise<{ status: number; json: Record<string, any> }> {
  const response = await service.api(`/v1/predictions/${id}/performance`, as);
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

/** The offline references: AUC over every (churned, stayed) pair, Brier, and precision in the top 10% with a tied cut shared in proportion. */
function offline(pairs: { p: number; y: boolean }[]) {
  const pos = pairs.filter((x) => x.y).map((x) => x.p);
  const neg = pairs.filter((x) => !x.y).map((x) => x.p);
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  const brier = pairs.reduce((s, x) => s + (x.p - (x.y ? 1 : 0)) ** 2, 0) / pairs.length;
  const descending = [...pairs].sort((a, b) => b.p - a.p);
  const k = Math.round(0.1 * pairs.length);
  const cut = descending[k - 1]!.p;
  const above = descending.filter((x) => x.p > cut);
  const tied = descending.filter((x) => x.p === cut);
  const churnedTop =
    above.filter((x) => x.y).length + (tied.filter((x) => x.y).length * (k - above.length)) / tied.length;
  const baseRate = pos.length / pairs.length;
  return {
    auc: wins / (pos.length * neg.length),
    brier,
    lift10: churnedTop / k / baseRate,
    precision10: churnedTop / k,
  };
}

describe("closing the loop: outcomes and realized performance", () => {
  let first: { id: string; probabilities: Map<string, number> };
  const sample = () => telco.rows.slice(0, 1200);

  it("answers an outcome upload with rows read, accepted, rejected with reasons, and matched to the earlier prediction", async () => {
    first = await score(sample());
    const before = await performance(first.id);
    expect(before.json).toMatchObject({
      status: "not_enough_outcomes",
      labeledRows: 0,
      message: "not enough outcomes yet (0 of 30)",
    });

    const body = outcomesCsv(sample()) + "9999-NOPE,maybe\n,yes\n";
    const { status, json } = await sendOutcomes(body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ rowsRead: 1202, rowsAccepted: 1200, rowsRejected: 2, rowsMatched: 1200 });
    expect(json.rowErrors).toEqual([
      { row: 1201, customerId: "9999-NOPE", reason: 'churned "maybe" is not one of yes, no, 1, 0, true, false' },
      { row: 1202, customerId: "", reason: "the customer id is blank" },
    ]);
  });

  it("reports realized AUC, Brier and lift in the top 10% equal to the offline values from the same rows", async () => {
    const pairs = sample().map((r) => ({ p: first.probabilities.get(r[ID()]!)!, y: r[CHURN()] === "Yes" }));
    const expected = offline(pairs);
    const { status, json } = await performance(first.id);
    expect(status).toBe(200);
    expect(json.status).toBe("ready");
    expect(json.labeledRows).toBe(1200);
    expect(json.churned).toBe(pairs.filter((x) => x.y).length);
    expect(Math.abs(json.auc.value - expected.auc)).toBeLessThan(1e-9);
    expect(Math.abs(json.brier - expected.brier)).toBeLessThan(1e-9);
    expect(json.top[0].share).toBe(0.1);
    expect(Math.abs(json.top[0].lift - expected.lift10)).toBeLessThan(1e-9);
    expect(Math.abs(json.top[0].precision - expected.precision10)).toBeLessThan(1e-9);
    expect(json.auc.interval[0]).toBeLessThan(json.auc.value);
    expect(json.auc.interval[1]).toBeGreaterThan(json.auc.value);
    expect(json.calibration.reduce((s: number, g: { count: number }) => s + g.count, 0)).toBe(1200);
  });

  it("never joins another account's outcomes, and hides the prediction from it", async () => {
    const other = await service.key("globex");
    const { json } = await sendOutcomes(outcomesCsv(sample(), { invert: true }), other);
    expect(json).toMatchObject({ rowsAccepted: 1200, rowsMatched: 0 });
    const mine = await performance(first.id);
    const pairs = sample().map((r) => ({ p: first.probabilities.get(r[ID()]!)!, y: r[CHURN()] === "Yes" }));
    expect(Math.abs(mine.json.auc.value - offline(pairs).auc)).toBeLessThan(1e-9);
    expect((await performance(first.id, other)).status).toBe(404);
  });

  it("says there are not enough outcomes while a class has fewer than 30, counting only outcomes observed after the prediction", async () => {
    const rest = telco.rows.slice(1200);
    const churned = rest.filter((r) => r[CHURN()] === "Yes").slice(0, 25);
    const stayed = rest.filter((r) => r[CHURN()] === "No").slice(0, 75);
    const second = await score([...churned, ...stayed]);
    await sendOutcomes(outcomesCsv([...churned, ...stayed]));
    // Known before the prediction was made: ignored for it (and an earlier observation never replaces a later one).
    const stale = rest.filter((r) => r[CHURN()] === "Yes").slice(25, 40);
    const extra = await score(stale);
    await sendOutcomes(outcomesCsv(stale, { observedAt: "2020-01-01T00:00:00Z" }));
    const { json } = await performance(second.id);
    expect(json).toMatchObject({
      status: "not_enough_outcomes",
      labeledRows: 100,
      churned: 25,
      stayed: 75,
      message: "not enough outcomes yet (25 of 30)",
    });
    expect((await performance(extra.id)).json).toMatchObject({ labeledRows: 0 });
  });

  it("keeps the latest observation per customer: a later upload corrects an earlier one", async () => {
    const row = telco.rows[0]!;
    const flipped = row[CHURN()] === "Yes" ? "no" : "yes";
    const { json } = await sendOutcomes(
      `customerID,Churn,observed_at\n${row[ID()]},${flipped},${new Date().toISOString()}\n`,
    );
    expect(json).toMatchObject({ rowsAccepted: 1, rowsMatched: 1 });
    const counts = (await (await service.api("/v1/outcomes", key)).json()) as { customers: number; churned: number };
    expect(counts.customers).toBe(1200 + 100 + 15);
    const pairs = sample().map((r, i) => ({
      p: first.probabilities.get(r[ID()]!)!,
      y: i === 0 ? flipped === "yes" : r[CHURN()] === "Yes",
    }));
    expect(Math.abs((await performance(first.id)).json.auc.value - offline(pairs).auc)).toBeLessThan(1e-9);
  });

  it("aggregates a model's performance over its predictions, and trends per day with the realized AUC of the day's labeled customers", async () => {
    const labeled = (
      await service.db.sql<{ p: number; y: boolean }[]>`
      select s.probability as p, o.churned as y from prediction_scores s join predictions pr on pr.id = s.prediction_id
      join outcomes o on o.customer_id = s.customer_id and o.account_id = pr.account_id where o.observed_at > pr.created_at`
    ).map((r) => ({ p: r.p, y: r.y }));
    expect(labeled).toHaveLength(1300);
    const model = await service.api(`/v1/models/${BUILTIN_MODEL_ID}/performance`, key);
    const aggregated = (await model.json()) as Record<string, any>;
    expect(aggregated).toMatchObject({ status: "ready", predictions: 3, labeledRows: 1300 });
    expect(Math.abs(aggregated.auc.value - offline(labeled).auc)).toBeLessThan(1e-9);

    const trends = (await (await service.api("/v1/insights/trends", key)).json()) as {
      bucket: string;
      points: Record<string, any>[];
    };
    expect(trends.bucket).toBe("day");
    const today = trends.points.at(-1)!;
    expect(today).toMatchObject({ uploads: 3, rowsScored: 1200 + 100 + 15, labeledRows: 1300 });
    expect(Math.abs(today.realizedAuc.value - offline(labeled).auc)).toBeLessThan(1e-9);
    expect(trends.points.slice(0, -1).every((p) => p.uploads === 0 && p.realizedAuc === null)).toBe(true);
    const chart = await service.api("/v1/insights/trends.svg", key);
    expect(chart.headers.get("content-type")).toContain("image/svg+xml");
    expect(await chart.text()).toContain('data-series="auc"');

    const other = await service.key("initech");
    const theirs = (await (await service.api("/v1/insights/trends", other)).json()) as {
      points: { uploads: number }[];
    };
    expect(theirs.points.every((p) => p.uploads === 0)).toBe(true);
    expect((await service.api("/v1/insights/trends?from=2026-01-01&to=2025-01-01", key)).status).toBe(400);
  });

  it("copies a new prediction's scores in the background (its index-scores job), before anyone asks", async () => {
    const fresh = await score(telco.rows.slice(2000, 2050));
    const deadline = Date.now() + 20_000;
    let sets = 0;
    while (sets === 0 && Date.now() < deadline) {
      sets = (
        await service.db.sql<
          { sets: number }[]
        >`select count(*)::int as sets from prediction_score_sets where prediction_id = ${fresh.id}`
      )[0]!.sets;
      if (sets === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(sets).toBe(1);
    const [copied] = await service.db.sql<
      { rows: number }[]
    >`select count(*)::int as rows from prediction_scores where prediction_id = ${fresh.id}`;
    expect(copied!.rows).toBe(50);
    const job = await service.db.sql`select status, rows_indexed, attempts from score_indexings where id = ${fresh.id}`;
    expect(job).toEqual([{ status: "COMPLETED", rowsIndexed: 50, attempts: 1 }]);
  });

  it("measures a prediction whose result file has expired as having no labeled customers, without failing", async () => {
    const other = await service.key("umbrella");
    const expired = await score(telco.rows.slice(3000, 3040), other);
    const [row] = await service.db.sql<
      { key: string }[]
    >`select s3_output_key as key from predictions where id = ${expired.id}`;
    await service.services.store.delete(row!.key);
    const { status, json } = await performance(expired.id, other);
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: "not_enough_outcomes", labeledRows: 0 });
  });

  it("retrains from a prediction: its input rows joined with their outcomes train a READY model; too few outcomes is a 400", async () => {
    const response = await service.api(`/v1/predictions/${first.id}/train?name=telco-outcomes`, key, {
      method: "POST",
    });
    expect(response.headers.get("location")).toMatch(/^\/v1\/models\/[0-9a-f-]{36}$/);
    expect(response.status).toBe(202);
    const created = (await response.json()) as { id: string };
    const deadline = Date.now() + 120_000;
    let model: Record<string, any> = {};
    while (Date.now() < deadline) {
      model = (await (await service.api(`/v1/models/${created.id}`, key)).json()) as Record<string, any>;
      if (["READY", "FAILED", "CANCELED"].includes(model.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(model.status).toBe("READY");
    const [row] = await service.db.sql<
      { labelColumn: string; rows: number }[]
    >`select label_column, rows_total as rows from models where id = ${created.id}`;
    expect(row!.labelColumn).toBe("churned");
    expect(row!.rows).toBe(1200);

    const few = await score(telco.rows.slice(4000, 4040));
    await sendOutcomes(outcomesCsv(telco.rows.slice(4000, 4040)));
    // The old form, kept as an alias, answers the same.
    const refused = await service.api(`/v1/models?fromPrediction=${few.id}&name=too-few`, key, { method: "POST" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "model.not_enough_outcomes",
    });
    const hooli = await service.key("hooli");
    expect((await service.api(`/v1/models?fromPrediction=${first.id}&name=x`, hooli, { method: "POST" })).status).toBe(
      404,
    );
    expect((await service.api(`/v1/predictions/${first.id}/train?name=x`, hooli, { method: "POST" })).status).toBe(404);
  }, 180_000);

  it("refuses an outcome file without a churned column, naming the closest header", async () => {
    const { status, json } = await sendOutcomes("customer_id,churnd\nA,yes\n");
    expect(status).toBe(400);
    expect(json.error.code).toBe("csv.missing_columns");
    expect(json.error.message).toMatch(
      /^The outcome file lacks a column saying who churned \(churned, churn, .*; closest: "churnd"\)/,
    );
  });
});
