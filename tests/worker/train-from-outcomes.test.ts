import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  handleJobMessage,
  jobRegistry,
  OUTCOME_LABEL,
  scoresKeyFor,
  sendJob,
  silentLogger,
  trainJob,
  type ScoreSummary,
} from "../../packages/core/src/index.ts";
import { startJobHarness, type JobHarness } from "../support/job-harness.ts";
import { PROGRAM_ENTRY } from "../support/score-text.ts";
import { readTelco, selectColumns, toCsv } from "../support/telco.ts";

/**
 * `POST /v1/models?fromPrediction=` as the worker's `train` job sees it: a model row naming its
 * source prediction and no upload. The job builds the training file from the prediction's input
 * in the store and its customers' outcomes in the database (the API request no longer does).
 */
let h: JobHarness;
beforeAll(async () => {
  h = await startJobHarness();
});
afterAll(() => h.close());

const OPTIONS = { visibilitySeconds: 30, heartbeatSeconds: 1, staleAfterSeconds: 20 };
const telco = readTelco();
const unlabeled = (rows: string[][]) =>
  selectColumns(
    { headers: telco.headers, rows },
    telco.headers.filter((x) => x !== "Churn"),
  );

/** A COMPLETED prediction of `csv` whose customers' scores are copied, and the outcomes (`churned` by customer) observed after it. */
async function predictionWithOutcomes(csv: string, churned: Map<string, boolean>): Promise<string> {
  const id = randomUUID();
  const inputKey = `inputs/${id}.csv`;
  const { bytes } = await h.store.put(inputKey, Readable.from([csv]));
  await h.predictions.create({
    id,
    accountId: h.accountId,
    inputKey,
    inputFilename: "customers.csv",
    inputBytes: bytes,
  });
  const { attempt } = (await h.predictions.claim(id, { staleAfterSeconds: 60 }))!;
  const completion = {
    outputKey: `results/${id}/attempt-${attempt}.csv`,
    scoresKey: scoresKeyFor(id, attempt),
    rowsProcessed: churned.size,
    rowsFailed: 0,
    metrics: {} as ScoreSummary,
    modelVersion: "v1",
  };
  expect(await h.predictions.complete(id, attempt, completion)).toBe(true);
  await h.outcomes.indexScores(
    id,
    (async function* () {
      yield [...churned.keys()].map((customerId) => ({ customerId, probability: 0.5 }));
    })(),
  );
  const later = new Date(Date.now() + 1000);
  await h.outcomes.upsert(
    h.accountId,
    randomUUID(),
    [...churned].map(([customerId, y]) => ({ customerId, churned: y, observedAt: later })),
  );
  return id;
}

/** Creates the model as the API does and runs its `train` job; `beforeRun` happens in between. */
async function trainFrom(predictionId: string, beforeRun: () => Promise<unknown> = async () => {}) {
  const id = randomUUID();
  await h.models.create({
    id,
    accountId: h.accountId,
    name: `from-${predictionId.slice(0, 8)}`,
    labelColumn: OUTCOME_LABEL,
    positiveValue: "yes",
    inputKey: null,
    sourcePredictionId: predictionId,
    inputFilename: "outcomes-of-customers.csv",
    inputBytes: 0,
  });
  await sendJob("train", id, h.queue, h.models);
  await beforeRun();
  const [message] = await h.queue.receive({ max: 1, waitSeconds: 5, visibilitySeconds: 30 });
  const registry = jobRegistry([
    trainJob(
      { models: h.models, store: h.store, predictions: h.predictions, outcomes: h.outcomes },
      { workerEntry: PROGRAM_ENTRY, maxTrainingRows: 100_000 },
    ),
  ]);
  const outcome = await handleJobMessage(
    message!,
    registry,
    { queue: h.queue, logger: silentLogger },
    { ...OPTIONS, shutdown: new AbortController().signal },
  );
  return { outcome, model: (await h.models.getById(id))! };
}

describe("training from a prediction's outcomes in the worker", () => {
  const rows = telco.rows.slice(0, 300);
  const labels = new Map(
    rows.map((r) => [r[telco.headers.indexOf("customerID")]!, r[telco.headers.indexOf("Churn")] === "Yes"]),
  );

  it("joins the prediction's input rows with their outcomes and trains a READY model on the customers that have one", {
    timeout: 120_000,
  }, async () => {
    const table = unlabeled(rows);
    const predictionId = await predictionWithOutcomes(toCsv(table.headers, table.rows), labels);
    // A customer scored but without an outcome is left out of the training file.
    await h.db.sql`delete from outcomes where account_id = ${h.accountId} and customer_id = ${rows[0]![0]!}`;
    const { outcome, model } = await trainFrom(predictionId);
    expect(outcome).toBe("completed");
    expect(model).toMatchObject({ status: "READY", rowsTotal: 299, sourcePredictionId: predictionId, inputKey: null });
    expect(model.card).toMatchObject({ label: { column: OUTCOME_LABEL, positive: "yes" } });
    // The built file's size is recorded as the model's input, as the upload's was.
    expect(model.inputBytes).toBeGreaterThan(0);
  });

  it("fails, saying so, when the prediction was deleted before the training ran", async () => {
    const table = unlabeled(rows);
    const predictionId = await predictionWithOutcomes(toCsv(table.headers, table.rows), labels);
    const { outcome, model } = await trainFrom(predictionId, () => h.predictions.remove(h.accountId, predictionId));
    expect(outcome).toBe("failed");
    expect(model).toMatchObject({ status: "FAILED", errorCode: "prediction.not_found", sourcePredictionId: null });
  });

  it("fails with the customer's fix when the prediction's file already has a churned column", async () => {
    const table = unlabeled(rows);
    const predictionId = await predictionWithOutcomes(
      toCsv(
        [...table.headers, "churned"],
        table.rows.map((r) => [...r, "x"]),
      ),
      labels,
    );
    const { outcome, model } = await trainFrom(predictionId);
    expect(outcome).toBe("failed");
    expect(model).toMatchObject({ status: "FAILED", errorCode: "model.label_clash" });
  });
});
