import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUILTIN_MODEL_ID,
  MAX_RECEIVES,
  parseJobMessage,
  scoresKeyFor,
  sendJob,
  silentLogger,
  TransientError,
  type ObjectStore,
  type ScoreSummary,
} from "../../packages/core/src/index.ts";
import { createPostgresAccountRepository } from "../../packages/postgres/src/index.ts";
import { relayOnce } from "../../packages/worker/src/index.ts";
import { readObject, startJobHarness, TELCO_CSV, type JobHarness } from "../support/job-harness.ts";

/**
 * The `index-scores` kind through the real runner, Postgres queue and files store: queued by a
 * scoring job's completion, claimed, retried and dead-lettered like every kind.
 */
let h: JobHarness;
beforeAll(async () => {
  h = await startJobHarness();
});
afterAll(() => h.close());

/** Receives the next message and runs it, copying scores from `store`; resolves its kind and outcome. */
async function processNext(store?: ObjectStore): Promise<{ kind: string | undefined; outcome: string }> {
  const [message] = await h.queue.receive({ max: 1, waitSeconds: 5, visibilitySeconds: 1 });
  if (!message) throw new Error("no message arrived");
  // A fifth of the first test's rows is bad on purpose.
  const outcome = await h.run(message, { maxBadRowShare: 0.5, ...(store ? { indexStore: store } : {}) });
  return { kind: parseJobMessage(message.body)?.kind, outcome };
}

const copiedScores = (id: string) =>
  h.db.sql<{ customerId: string; probability: number; challengerProbability: number | null }[]>`
    select customer_id, probability, challenger_probability from prediction_scores where prediction_id = ${id} order by customer_id`;

/** A COMPLETED prediction as the scoring job leaves it, with `result` as its CSV and `scores` as its scores file; its copy queued, not sent. */
async function completedPrediction(result: string, scores: string, accountId = h.accountId): Promise<string> {
  const id = randomUUID();
  await h.predictions.create({
    id,
    accountId,
    inputKey: `inputs/${id}.csv`,
    inputFilename: "old.csv",
    inputBytes: 1,
  });
  const { attempt } = (await h.predictions.claim(id, { staleAfterSeconds: 60 }))!;
  const outputKey = `results/${id}/attempt-${attempt}.csv`;
  await h.store.put(outputKey, Readable.from([result]));
  await h.store.put(scoresKeyFor(id, attempt), Readable.from([scores]));
  const completion = {
    outputKey,
    scoresKey: scoresKeyFor(id, attempt),
    rowsProcessed: 1,
    rowsFailed: 0,
    metrics: {} as ScoreSummary,
    modelVersion: "v1",
  };
  expect(await h.predictions.complete(id, attempt, completion)).toBe(true);
  return id;
}

describe("the index-scores job", () => {
  it("is queued by a scoring completion and copies the scores file: ids as read (no spreadsheet escaping), the CSV's probabilities, the challenger's", async () => {
    const [header, ...rows] = (await readFile(TELCO_CSV, "utf8")).trimEnd().split("\n");
    const ids = ["=cmd|' /C calc'!A0", "-5", "+1 555", "@SUM(A1)"];
    const csv =
      [
        header,
        ...ids.map((id, i) => `"${id.replaceAll('"', '""')}",${rows[i]!.slice(rows[i]!.indexOf(",") + 1)}`),
        "BAD-1,not,enough",
      ].join("\n") + "\n";
    const id = randomUUID();
    const { bytes } = await h.store.put(`inputs/${id}.csv`, Readable.from([csv]));
    await h.predictions.create({
      id,
      accountId: h.accountId,
      inputKey: `inputs/${id}.csv`,
      inputFilename: "formulas.csv",
      inputBytes: bytes,
      challengerModelId: BUILTIN_MODEL_ID,
    });
    await sendJob("score", id, h.queue, h.predictions);

    expect(await processNext()).toEqual({ kind: "score", outcome: "completed" });
    const scores = (await readObject(h.store, scoresKeyFor(id, 1)))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(scores.map((s) => s[0])).toEqual(ids);
    const result = (await readObject(h.store, `results/${id}/attempt-1.csv`)).trimEnd().split("\n").slice(1);
    // The customer's file escapes every one of them; the scores file keeps the probabilities it shows.
    expect(result.slice(0, 4).map((line) => line.split(",")[0])).toEqual(ids.map((x) => `'${x}`));
    const probabilities = result.slice(0, 4).map((line) => Number(line.match(/,(0\.\d{4}),(0\.\d{4}),/)![1]));
    expect(scores.map((s) => s[1])).toEqual(probabilities);
    expect(scores.map((s) => s[2])).toEqual(probabilities);

    expect(await processNext()).toEqual({ kind: "index-scores", outcome: "completed" });
    expect(await copiedScores(id)).toEqual(
      ids
        .map((customerId, i) => ({
          customerId,
          probability: probabilities[i],
          challengerProbability: probabilities[i],
        }))
        .sort((a, b) => (a.customerId < b.customerId ? -1 : 1)),
    );
    expect(await h.scoreIndexes.getById(id)).toMatchObject({ status: "COMPLETED", rowsIndexed: 4, attempts: 1 });
  });

  it("reads a prediction scored before scores files (no scores key: queued by migration 0011) from its result CSV, escaping undone", async () => {
    const id = await completedPrediction(
      "customer_id,churn_probability,risk_level\n'=HYPERLINK(x),0.9100,High\nA-2,0.1200,Low\n",
      "",
    );
    await h.db.sql`update score_indexings set scores_key = null where id = ${id}`;
    await sendJob("index-scores", id, h.queue, h.scoreIndexes);
    expect(await processNext()).toEqual({ kind: "index-scores", outcome: "completed" });
    expect(await copiedScores(id)).toEqual([
      { customerId: "=HYPERLINK(x)", probability: 0.91, challengerProbability: null },
      { customerId: "A-2", probability: 0.12, challengerProbability: null },
    ]);
  });

  it("is retried when the store fails and FAILED on the last receive, its message dead-lettered, like every kind", async () => {
    const id = await completedPrediction("customer_id,churn_probability\nA-1,0.5000\n", '["A-1",0.5,null]\n');
    await sendJob("index-scores", id, h.queue, h.scoreIndexes);
    const broken: ObjectStore = {
      ...h.store,
      get: () => Promise.reject(new TransientError("store.unavailable", "the store is down")),
    };
    const outcomes: string[] = [];
    for (let receive = 1; receive <= MAX_RECEIVES; receive++) {
      if (receive > 1) await h.db.sql`update job_queue set visible_at = now()`;
      outcomes.push((await processNext(broken)).outcome);
    }
    expect(outcomes).toEqual(["retry", "retry", "failed"]);
    expect(await h.scoreIndexes.getById(id)).toMatchObject({
      status: "FAILED",
      errorCode: "job.attempts_exhausted",
      attempts: 3,
    });
    expect(await copiedScores(id)).toEqual([]);
    await h.db.sql`update job_queue set visible_at = now()`;
    expect(await h.queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 1 })).toEqual([]);
    expect((await h.queue.deadLetters()).map((d) => parseJobMessage(d.body))).toContainEqual({
      kind: "index-scores",
      id,
    });
  });

  it("takes a scores file it cannot read for our fault, not the customer's: the attempt is retried and nothing is copied", async () => {
    const id = await completedPrediction("customer_id,churn_probability\nA-1,0.5000\n", '["A-1","0.5",null]\n');
    await sendJob("index-scores", id, h.queue, h.scoreIndexes);
    expect((await processNext()).outcome).toBe("retry");
    const row = await h.scoreIndexes.getById(id);
    expect(row).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect(await copiedScores(id)).toEqual([]);
    const [message] = await h.db.sql<
      { id: string }[]
    >`select id from job_queue where body::jsonb ->> 'id' = ${id} and dead_lettered_at is null`;
    await h.db.sql`delete from job_queue where id = ${message!.id}`;
  });

  it("leaves out a stored scores file's ids the database cannot hold (2,800 letters, a NUL) and copies the rest", async () => {
    const long = "x".repeat(2_800);
    const scores = [`["${long}",0.5,null]`, '["A\\u0000B",0.4,null]', '["A-1",0.3,null]'].join("\n") + "\n";
    const id = await completedPrediction("customer_id,churn_probability\nA-1,0.3000\n", scores);
    await sendJob("index-scores", id, h.queue, h.scoreIndexes);
    expect(await processNext()).toEqual({ kind: "index-scores", outcome: "completed" });
    expect(await copiedScores(id)).toEqual([{ customerId: "A-1", probability: 0.3, challengerProbability: null }]);
    expect(await h.scoreIndexes.getById(id)).toMatchObject({ status: "COMPLETED", rowsIndexed: 1 });
  });

  it("retries one account's broken copy with backoff while another account's copy goes through, and its requests do not wait on it", async () => {
    const other = await createPostgresAccountRepository(h.db.sql).ensureAccount(`other-${randomUUID().slice(0, 8)}`);
    const broken = await completedPrediction("customer_id,churn_probability\n", "not json\n");
    const fine = await completedPrediction(
      "customer_id,churn_probability\nB-1,0.2000\n",
      '["B-1",0.2,null]\n',
      other.id,
    );
    await sendJob("index-scores", broken, h.queue, h.scoreIndexes);
    await sendJob("index-scores", fine, h.queue, h.scoreIndexes);
    expect(await processNext()).toEqual({ kind: "index-scores", outcome: "retry" });
    expect(await processNext()).toEqual({ kind: "index-scores", outcome: "completed" });
    expect(await copiedScores(fine)).toEqual([{ customerId: "B-1", probability: 0.2, challengerProbability: null }]);
    // The broken copy is queued again for its retry (5 s on), its failure counted on its row; a request of its account goes on without it.
    expect(await h.scoreIndexes.getById(broken)).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect(await h.outcomes.pendingScoreCopies(h.accountId, [broken])).toBe(0);
    const [retry] = await h.db.sql<{ visibleInSeconds: number }[]>`
      select extract(epoch from visible_at - now())::float8 as visible_in_seconds from job_queue
      where body::jsonb ->> 'id' = ${broken} and dead_lettered_at is null`;
    expect(retry!.visibleInSeconds).toBeGreaterThan(3);
    await h.db.sql`delete from job_queue where body::jsonb ->> 'id' = ${broken}`;
  });

  it("is re-sent with its kind by the relay when the completion's send never happened, and dropped with its prediction", async () => {
    const id = await completedPrediction("customer_id,churn_probability\nA-1,0.5000\n", '["A-1",0.5,null]\n');
    expect((await h.scoreIndexes.getById(id))?.enqueuedAt).toBeNull();
    const relayed = await relayOnce({
      jobs: [{ kind: "index-scores", rows: h.scoreIndexes }],
      queue: h.queue,
      intervalSeconds: 1,
      graceSeconds: 0,
      staleAfterSeconds: 20,
      logger: silentLogger,
    });
    expect(relayed.resent).toBe(1);
    expect((await h.scoreIndexes.getById(id))?.enqueuedAt).toBeInstanceOf(Date);
    await h.predictions.remove(h.accountId, id);
    expect(await h.scoreIndexes.getById(id)).toBeNull();
    expect(await processNext()).toEqual({ kind: "index-scores", outcome: "skipped" });
  });
});
