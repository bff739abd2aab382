import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCsv } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { readTelco, selectColumns, toCsv, type Table } from "../support/telco.ts";

/**
 * Champion / challenger over real HTTP in both modes: two models trained here on the first 3,000
 * Telco rows (a lean one on three columns, a richer one on eight) score the other 2,626 together;
 * the file is checked against each model scoring it alone, then the two are compared on the true
 * outcomes, every expected number computed offline from the returned file.
 */
const TRAINING_ROWS = 3000;
const LEAN = ["customerID", "tenure", "Contract", "MonthlyCharges", "Churn"];
const RICHER = [
  ...LEAN.slice(0, -1),
  "InternetService",
  "PaymentMethod",
  "TotalCharges",
  "OnlineSecurity",
  "TechSupport",
  "Churn",
];

type Row = Record<string, string>;

/** The scored file as rows by header, read with the service's own CSV reader (reasons are quoted fields). */
async function parseCsv(text: string): Promise<{ header: string[]; rows: Row[] }> {
  const source = await openCsv(Readable.from([text]));
  const rows: Row[] = [];
  for (let next = await source.records.next(); !next.done; next = await source.records.next())
    rows.push(Object.fromEntries(source.headers.map((h, i) => [h, next.value[i]!])));
  return { header: source.headers, rows };
}

/** AUC over every (churned, stayed) pair, ties counting one half: the definition, not DeLong's code. */
function offlineAuc(scores: number[], churned: boolean[]): number {
  const pos = scores.filter((_, i) => churned[i]);
  const neg = scores.filter((_, i) => !churned[i]);
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

for (const mode of ["local", "aws"] as const) {
  describe(`champion and challenger in ${mode} mode`, () => {
    let service: RunningService;
    let key: string;
    let telco: Table;
    let lean: string;
    let richer: string;
    let paired: { id: string; rows: Row[] };

    const post = (path: string, body: string) =>
      service.api(path, key, { method: "POST", headers: { "Content-Type": "text/csv" }, body });
    const scoring = () => telco.rows.slice(TRAINING_ROWS);
    const unlabeled = () => {
      const t = selectColumns(
        { headers: telco.headers, rows: scoring() },
        telco.headers.filter((h) => h !== "Churn"),
      );
      return toCsv(t.headers, t.rows);
    };

    async function train(name: string, columns: string[]): Promise<string> {
      const t = selectColumns({ headers: telco.headers, rows: telco.rows.slice(0, TRAINING_ROWS) }, columns);
      const { id } = (await (await post(`/v1/models?label=Churn&name=${name}`, toCsv(t.headers, t.rows))).json()) as {
        id: string;
      };
      expect((await service.waitForModel(id, key, "READY", 280_000)).status).toBe("READY");
      return id;
    }

    /** Scores the unlabeled rows with `query`, waits, and returns the result file's rows. */
    async function score(query: string): Promise<{ id: string; rows: Row[]; header: string[] }> {
      const response = await post(`/v1/predictions${query}`, unlabeled());
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      expect((await service.waitFor(id, key, "COMPLETED", 120_000)).status).toBe("COMPLETED");
      const link = (await (await service.api(`/v1/predictions/${id}/download`, key)).json()) as { url: string };
      return { id, ...(await parseCsv(await (await fetch(link.url)).text())) };
    }

    beforeAll(async () => {
      // Two trainings polled at once (10 requests a second each) would meet the per-key rate limit, which is not what this file tests.
      service = await startService(mode, { RETAINWISE_RATE_LIMIT_PER_MINUTE: "1000000" });
      key = await service.key("acme");
      telco = readTelco();
      [lean, richer] = await Promise.all([train("lean", LEAN), train("richer", RICHER)]);
    }, 600_000);
    afterAll(() => service?.stop());

    it("scores every row with both: the champion's probability, risk level and reasons exactly as alone, the challenger's probability as alone", {
      timeout: 300_000,
    }, async () => {
      const [both, champion, challenger] = await Promise.all([
        score(`?model=${lean}&challenger=${richer}`),
        score(`?model=${lean}`),
        score(`?model=${richer}`),
      ]);
      paired = both;
      expect(both.header.slice(0, 3)).toEqual(["customer_id", "churn_probability", "challenger_probability"]);
      expect(champion.header).not.toContain("challenger_probability");
      expect(both.rows).toHaveLength(scoring().length);
      both.rows.forEach((row, i) => {
        const { challenger_probability, ...rest } = row;
        expect(rest).toEqual(champion.rows[i]);
        expect(challenger_probability).toBe(challenger.rows[i]!.churn_probability);
      });
      expect(both.rows.every((r) => r.model_version === "lean-v1")).toBe(true);
      // Two different models: the challenger column is not a copy of the champion's.
      expect(both.rows.filter((r) => r.churn_probability !== r.challenger_probability).length).toBeGreaterThan(
        scoring().length / 2,
      );
      expect(await (await service.api(`/v1/predictions/${both.id}`, key)).json()).toMatchObject({
        modelId: lean,
        challengerModelId: richer,
      });
    });

    it("compares the two on the same labeled customers: each AUC as computed offline, the difference with its paired DeLong interval", async () => {
      const churn = telco.headers.indexOf("Churn");
      const id = telco.headers.indexOf("customerID");
      const outcomes = ["customer_id,churned", ...scoring().map((r) => `${r[id]},${r[churn]}`)].join("\n") + "\n";
      expect((await post("/v1/outcomes", outcomes)).status).toBe(200);
      const body = (await (await service.api(`/v1/predictions/${paired.id}/performance`, key)).json()) as Record<
        string,
        any
      >;
      const c = body.challenger;
      expect(c).toMatchObject({ modelId: richer, model: "richer-v1", labeledRows: scoring().length });
      const churned = paired.rows.map((_, i) => scoring()[i]![churn] === "Yes");
      const championAuc = offlineAuc(
        paired.rows.map((r) => Number(r.churn_probability)),
        churned,
      );
      const challengerAuc = offlineAuc(
        paired.rows.map((r) => Number(r.challenger_probability)),
        churned,
      );
      expect(Math.abs(c.champion.auc.value - championAuc)).toBeLessThan(1e-9);
      expect(Math.abs(body.auc.value - championAuc)).toBeLessThan(1e-9);
      expect(Math.abs(c.challenger.auc.value - challengerAuc)).toBeLessThan(1e-9);
      expect(Math.abs(c.aucDifference.value - (challengerAuc - championAuc))).toBeLessThan(1e-9);
      expect(c.aucDifference.method).toBe("paired DeLong");
      const [low, high] = c.aucDifference.interval as [number, number];
      expect(low).toBeLessThan(c.aucDifference.value);
      expect(high).toBeGreaterThan(c.aucDifference.value);
      expect(c.better).toBe(low > 0 ? "challenger" : high < 0 ? "champion" : "no_clear_difference");
    });

    it("promotes the challenger: it becomes the account's default and scores the next upload without ?model=", {
      timeout: 120_000,
    }, async () => {
      const promoted = await service.api(`/v1/predictions/${paired.id}/promote-challenger`, key, { method: "POST" });
      expect(promoted.status).toBe(200);
      expect(await promoted.json()).toMatchObject({ id: richer, isDefault: true });
      const next = await score("");
      expect(next.rows[0]!.model_version).toBe("richer-v1");
    });

    it("refuses the champion as its own challenger, and another account's model", async () => {
      const same = await post(`/v1/predictions?model=${lean}&challenger=${lean}`, unlabeled());
      expect(same.status).toBe(400);
      const rival = await service.key("rival");
      const theirs = await service.api(`/v1/predictions?challenger=${richer}`, rival, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: unlabeled(),
      });
      expect(theirs.status).toBe(404);
    });
  });
}
