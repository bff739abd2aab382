import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILTIN_MODEL_ID, type DriftReport, type ScoreSummary } from "@retainwise/core";
import { startTestApi, type TestApi } from "./test-app.ts";

/**
 * `?challenger=` validation, `promote-challenger` and `GET /v1/predictions/:id/drift` over real HTTP
 * and Postgres. Predictions are completed through the repository as a worker would (the scoring
 * itself is covered end to end in tests/outcomes).
 */
let api: TestApi;
let key: string;
let accountId: string;
let challengerId: string;
let otherAccountsModel: string;

beforeAll(async () => {
  api = await startTestApi();
  key = await api.key("acme");
  accountId = (await api.accounts.ensureAccount("acme")).id;
  challengerId = await readyModel(accountId, "bank");
  otherAccountsModel = await readyModel((await api.accounts.ensureAccount("rival")).id, "rival");
});
afterAll(() => api.stop());

/** A READY model row of the account (what the trainer leaves behind; its files are not needed here). */
async function readyModel(account: string, name: string): Promise<string> {
  const id = randomUUID();
  await api.sql`
    insert into models (id, account_id, name, version, status, label_column, onnx_key, card_key, completed_at)
    values (${id}, ${account}, ${name}, 1, 'READY', 'churned', ${`accounts/${account}/models/${id}/model.onnx`}, ${`accounts/${account}/models/${id}/card.json`}, now())`;
  return id;
}

const request = (path: string, init: RequestInit = {}) =>
  fetch(api.url + path, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
const upload = (query: string) =>
  request(`/v1/predictions${query}`, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: "customerID,tenure\nA-1,3\n",
  });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

/** Completes a prediction as a worker would, with or without a drift report. */
async function complete(id: string, drift: DriftReport | null): Promise<void> {
  const claim = (await api.predictions.claim(id, { staleAfterSeconds: 45 }))!;
  const outputKey = `results/${id}/attempt-${claim.attempt}.csv`;
  await api.store.put(outputKey, Readable.from(["customer_id,churn_probability\nA-1,0.5\n"]), {
    contentType: "text/csv",
  });
  expect(
    await api.predictions.complete(id, claim.attempt, {
      outputKey,
      scoresKey: "results/none.scores.jsonl",
      rowsProcessed: 1,
      rowsFailed: 0,
      metrics: {} as ScoreSummary,
      modelVersion: "telco-v1",
      drift,
    }),
  ).toBe(true);
}

describe("POST /v1/predictions?challenger=", () => {
  test("stores the challenger beside the champion and shows it on the prediction", async () => {
    const response = await upload(`?model=${BUILTIN_MODEL_ID}&challenger=${challengerId}`);
    expect(response.status).toBe(202);
    const created = (await response.json()) as { id: string; challengerModelId: string };
    expect(created.challengerModelId).toBe(challengerId);
    expect(await (await request(`/v1/predictions/${created.id}`)).json()).toMatchObject({
      modelId: BUILTIN_MODEL_ID,
      challengerModelId: challengerId,
      driftFlagged: null,
    });
  });

  test.each([
    ["the champion itself", () => `?challenger=${BUILTIN_MODEL_ID}`, 400, "request.same_model"],
    ["another account's model", () => `?challenger=${otherAccountsModel}`, 404, "model.not_found"],
    ["an unknown model", () => `?challenger=${randomUUID()}`, 404, "model.not_found"],
    ["a malformed id", () => "?challenger=nope", 400, "request.invalid_challenger"],
  ])("refuses %s as the challenger", async (_what, query, status, code) => {
    const response = await upload(query());
    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
  });

  test("refuses a challenger that is not READY with 409, as model.not_ready is on every route", async () => {
    const training = await readyModel(accountId, "wip");
    await api.sql`update models set status = 'TRAINING' where id = ${training}`;
    const response = await upload(`?challenger=${training}`);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("model.not_ready");
  });
});

describe("POST /v1/predictions/:id/promote-challenger", () => {
  test("makes the challenger the account's default model", async () => {
    const { id } = (await (await upload(`?challenger=${challengerId}`)).json()) as { id: string };
    const response = await request(`/v1/predictions/${id}/promote-challenger`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: challengerId, isDefault: true });
    expect(await (await request(`/v1/models/${challengerId}`)).json()).toMatchObject({ isDefault: true });
    // Uploads without ?model= now score with it.
    expect(await (await upload("")).json()).toMatchObject({ modelId: challengerId });
    await api.sql`update accounts set default_model_id = null where id = ${accountId}`;
  });

  test("answers 409 for a prediction scored without a challenger, 404 for another account's", async () => {
    const { id } = (await (await upload("")).json()) as { id: string };
    const response = await request(`/v1/predictions/${id}/promote-challenger`, { method: "POST" });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("prediction.no_challenger");
    const rival = await api.key("rival");
    expect(
      (
        await fetch(`${api.url}/v1/predictions/${id}/promote-challenger`, {
          method: "POST",
          headers: { Authorization: `Bearer ${rival}` },
        })
      ).status,
    ).toBe(404);
  });
});

describe("GET /v1/predictions/:id/drift", () => {
  const report: DriftReport = {
    rows: 1,
    flagged: 1,
    columns: [
      {
        name: "tenure",
        label: "Tenure (months)",
        psi: 0.7,
        flagged: true,
        unseenShare: null,
        bins: [{ bin: "(blank)", expected: 0, actual: 0 }],
      },
    ],
  };

  test("answers 409 until the prediction is COMPLETED", async () => {
    const { id } = (await (await upload("")).json()) as { id: string };
    const response = await request(`/v1/predictions/${id}/drift`);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).message).toMatch(/its drift is measured once it is COMPLETED/);
  });

  test("gives the stored report with the threshold, and lists the flagged columns on the prediction", async () => {
    const { id } = (await (await upload("")).json()) as { id: string };
    await complete(id, report);
    expect(await (await request(`/v1/predictions/${id}/drift`)).json()).toEqual({
      predictionId: id,
      modelVersion: "telco-v1",
      status: "measured",
      threshold: 0.2,
      ...report,
    });
    expect(await (await request(`/v1/predictions/${id}`)).json()).toMatchObject({
      driftFlagged: ["tenure"],
      links: { drift: `/v1/predictions/${id}/drift` },
    });
  });

  test("says why when drift was not measured (a model without training shares)", async () => {
    const { id } = (await (await upload("")).json()) as { id: string };
    await complete(id, null);
    const body = (await (await request(`/v1/predictions/${id}/drift`)).json()) as { status: string; message: string };
    expect(body.status).toBe("not_measured");
    expect(body.message).toMatch(/telco-v1 has no training distribution.*Retrain it/);
  });

  test("is another account's secret", async () => {
    const { id } = (await (await upload("")).json()) as { id: string };
    const rival = await api.key("rival");
    expect(
      (await fetch(`${api.url}/v1/predictions/${id}/drift`, { headers: { Authorization: `Bearer ${rival}` } })).status,
    ).toBe(404);
  });
});
