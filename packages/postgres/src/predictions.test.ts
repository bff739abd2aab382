import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ScoreSummary } from "@retainwise/core";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { createPostgresAccountRepository } from "./accounts.ts";
import { createPostgresPredictionRepository } from "./predictions.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});
afterAll(() => db.drop());

const repo = () => createPostgresPredictionRepository(db.sql);
const newAccount = async () => createPostgresAccountRepository(db.sql).ensureAccount(`acct-${randomUUID()}`);
const newPrediction = async (accountId: string) => {
  const id = randomUUID();
  return repo().create({
    id,
    accountId,
    inputKey: `inputs/${id}.csv`,
    inputFilename: "customers.csv",
    inputBytes: 1234,
  });
};
/** Moves the heartbeat into the past, as if the worker had stopped `seconds` ago. */
const ageHeartbeat = (id: string, seconds: number) =>
  db.sql`update predictions set heartbeat_at = now() - make_interval(secs => ${seconds}) where id = ${id}`;

const summary: ScoreSummary = {
  rowsScored: 9,
  rowsFailed: 1,
  meanProbability: 0.31,
  riskCounts: { Low: 5, Medium: 3, High: 1 },
  histogram: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
  topRisks: [],
  modelVersion: "churn-v1",
  customerIds: "column",
  rowErrors: [{ row: 4, customerId: "C4", reason: "tenure is not a number" }],
  rowProblems: [{ problem: "tenure is not a number", rows: 1, firstRow: 4, example: "tenure is not a number" }],
};

describe("create and read", () => {
  test("a new prediction is QUEUED, unenqueued, with every field mapped", async () => {
    const account = await newAccount();
    const created = await newPrediction(account.id);
    expect(created).toMatchObject({
      accountId: account.id,
      status: "QUEUED",
      inputFilename: "customers.csv",
      inputBytes: 1234,
      outputKey: null,
      rowsProcessed: 0,
      attempts: 0,
      enqueuedAt: null,
      metrics: null,
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await repo().getById(created.id)).toEqual(created);
  });

  test("another account's prediction reads as missing, and so does a malformed id", async () => {
    const [owner, stranger] = [await newAccount(), await newAccount()];
    const prediction = await newPrediction(owner.id);
    expect(await repo().get(owner.id, prediction.id)).not.toBeNull();
    expect(await repo().get(stranger.id, prediction.id)).toBeNull();
    expect(await repo().get(owner.id, "not-a-uuid")).toBeNull();
    expect(await repo().cancel(stranger.id, prediction.id)).toBeNull();
    expect((await repo().getById(prediction.id))?.status).toBe("QUEUED");
  });
});

describe("outbox", () => {
  test("findUnenqueued returns QUEUED rows past the grace period until they are marked enqueued", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    await db.sql`update predictions set created_at = now() - interval '1 minute' where id = ${prediction.id}`;
    const ids = async () => (await repo().findUnenqueued(30, 1000)).map((p) => p.id);
    expect(await ids()).toContain(prediction.id);
    await repo().markEnqueued(prediction.id);
    expect(await ids()).not.toContain(prediction.id);
    expect((await repo().getById(prediction.id))?.enqueuedAt).toBeInstanceOf(Date);
  });

  test("findUnenqueued leaves rows younger than the grace period alone", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    expect((await repo().findUnenqueued(60, 1000)).map((p) => p.id)).not.toContain(prediction.id);
  });
});

describe("claim", () => {
  test("ten concurrent claims of one prediction produce exactly one winner, attempt 1", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => repo().claim(prediction.id, { staleAfterSeconds: 60 })),
    );
    const winners = claims.filter((claim) => claim !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ attempt: 1, job: { status: "RUNNING", attempts: 1 } });
  });

  test("a RUNNING prediction with a fresh heartbeat cannot be claimed again; a stale one can, under the next attempt", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    const first = await repo().claim(prediction.id, { staleAfterSeconds: 60 });
    expect(await repo().claim(prediction.id, { staleAfterSeconds: 60 })).toBeNull();
    await ageHeartbeat(prediction.id, 120);
    const second = await repo().claim(prediction.id, { staleAfterSeconds: 60 });
    expect(first?.attempt).toBe(1);
    expect(second?.attempt).toBe(2);
  });

  test("a terminal prediction is never claimed", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    await repo().cancel(account.id, prediction.id);
    expect(await repo().claim(prediction.id, { staleAfterSeconds: 0 })).toBeNull();
  });
});

describe("writes guarded by attempt", () => {
  test("a worker that lost its claim can neither record progress, complete, fail nor release", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    const stale = (await repo().claim(prediction.id, { staleAfterSeconds: 60 }))!;
    await ageHeartbeat(prediction.id, 120);
    const current = (await repo().claim(prediction.id, { staleAfterSeconds: 60 }))!;
    expect(
      await repo().heartbeat(prediction.id, stale.attempt, { rowsProcessed: 5, rowsFailed: 0, bytesRead: 10 }),
    ).toBe(false);
    expect(
      await repo().complete(prediction.id, stale.attempt, {
        outputKey: "results/x/1.csv",
        scoresKey: "results/x/1.scores.jsonl",
        rowsProcessed: 9,
        rowsFailed: 1,
        metrics: summary,
        modelVersion: "churn-v1",
      }),
    ).toBe(false);
    expect(await repo().fail(prediction.id, stale.attempt, { code: "x", message: "y" })).toBe(false);
    expect(await repo().release(prediction.id, stale.attempt)).toBe(false);
    expect(await repo().getById(prediction.id)).toMatchObject({
      status: "RUNNING",
      attempts: current.attempt,
      rowsProcessed: 0,
    });
    expect(await db.sql`select id from score_indexings where id = ${prediction.id}`).toHaveLength(0);
  });

  test("the current attempt records progress and completes with output key, counts (failed rows counted once in the total) and metrics, queuing its score copy", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    const { attempt } = (await repo().claim(prediction.id, { staleAfterSeconds: 60 }))!;
    expect(await repo().heartbeat(prediction.id, attempt, { rowsProcessed: 5, rowsFailed: 1, bytesRead: 600 })).toBe(
      true,
    );
    expect(await repo().getById(prediction.id)).toMatchObject({ rowsProcessed: 5, rowsFailed: 1, bytesRead: 600 });
    expect(
      await repo().complete(prediction.id, attempt, {
        outputKey: `results/${prediction.id}/1.csv`,
        scoresKey: `results/${prediction.id}/1.scores.jsonl`,
        rowsProcessed: 9,
        rowsFailed: 1,
        metrics: summary,
        modelVersion: "churn-v1",
      }),
    ).toBe(true);
    // The index-scores job, in the same statement: queued and not yet sent (its message is the worker's to send).
    expect(
      await db.sql`select status, account_id, scores_key, enqueued_at from score_indexings where id = ${prediction.id}`,
    ).toEqual([
      {
        status: "QUEUED",
        accountId: account.id,
        scoresKey: `results/${prediction.id}/1.scores.jsonl`,
        enqueuedAt: null,
      },
    ]);
    const done = await repo().getById(prediction.id);
    expect(done).toMatchObject({
      status: "COMPLETED",
      outputKey: `results/${prediction.id}/1.csv`,
      rowsTotal: 9,
      rowsProcessed: 9,
      rowsFailed: 1,
      modelVersion: "churn-v1",
      metrics: summary,
    });
    expect(done?.completedAt).toBeInstanceOf(Date);
    expect(
      await repo().complete(prediction.id, attempt, {
        outputKey: "other",
        scoresKey: "results/none.scores.jsonl",
        rowsProcessed: 1,
        rowsFailed: 0,
        metrics: summary,
        modelVersion: null,
      }),
    ).toBe(false);
  });

  test("a prediction the built-in model scored as 'v1' (before it had one name) reads as telco-v1; another model's 'v1' stays", async () => {
    const account = await newAccount();
    const legacy = await newPrediction(account.id);
    const { attempt } = (await repo().claim(legacy.id, { staleAfterSeconds: 60 }))!;
    await repo().complete(legacy.id, attempt, {
      outputKey: "results/l/1.csv",
      scoresKey: "results/l/1.scores.jsonl",
      rowsProcessed: 9,
      rowsFailed: 1,
      metrics: { ...summary, modelVersion: "v1" },
      modelVersion: "v1",
    });
    expect(await repo().get(account.id, legacy.id)).toMatchObject({
      modelVersion: "telco-v1",
      metrics: { modelVersion: "telco-v1" },
    });
    const [model] = await db.sql<
      { id: string }[]
    >`insert into models (id, account_id, name, version, status, label_column, input_filename) values (${randomUUID()}, ${account.id}, 'v', 1, 'QUEUED', 'churned', 'x.csv') returning id`;
    const own = await repo().create({
      id: randomUUID(),
      accountId: account.id,
      inputKey: "inputs/o.csv",
      inputFilename: "o.csv",
      inputBytes: 1,
      modelId: model!.id,
    });
    const claim = (await repo().claim(own.id, { staleAfterSeconds: 60 }))!;
    await repo().complete(own.id, claim.attempt, {
      outputKey: "results/o/1.csv",
      scoresKey: "results/o/1.scores.jsonl",
      rowsProcessed: 1,
      rowsFailed: 0,
      metrics: { ...summary, modelVersion: "v1" },
      modelVersion: "v1",
    });
    expect(await repo().get(account.id, own.id)).toMatchObject({ modelVersion: "v1", metrics: { modelVersion: "v1" } });
  });

  test("release puts a running prediction back in the queue keeping its attempt count", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    const { attempt } = (await repo().claim(prediction.id, { staleAfterSeconds: 60 }))!;
    expect(await repo().release(prediction.id, attempt)).toBe(true);
    expect(await repo().getById(prediction.id)).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect((await repo().claim(prediction.id, { staleAfterSeconds: 60 }))?.attempt).toBe(2);
  });

  test("fail without an attempt fails a queued prediction but leaves a terminal one as it is", async () => {
    const account = await newAccount();
    const queued = await newPrediction(account.id);
    expect(
      await repo().fail(queued.id, null, {
        code: "job.attempts_exhausted",
        message: "We could not process this file.",
      }),
    ).toBe(true);
    expect(await repo().getById(queued.id)).toMatchObject({
      status: "FAILED",
      errorCode: "job.attempts_exhausted",
      errorMessage: "We could not process this file.",
    });
    expect(await repo().fail(queued.id, null, { code: "other", message: "other" })).toBe(false);
    expect((await repo().getById(queued.id))?.errorCode).toBe("job.attempts_exhausted");
  });
});

describe("cancel and reaper", () => {
  test("cancel stops a running prediction, whose next heartbeat then reports false", async () => {
    const account = await newAccount();
    const prediction = await newPrediction(account.id);
    const { attempt } = (await repo().claim(prediction.id, { staleAfterSeconds: 60 }))!;
    expect((await repo().cancel(account.id, prediction.id))?.status).toBe("CANCELED");
    expect(await repo().heartbeat(prediction.id, attempt, { rowsProcessed: 1, rowsFailed: 0, bytesRead: 1 })).toBe(
      false,
    );
    expect((await repo().cancel(account.id, prediction.id))?.status).toBe("CANCELED");
  });

  test("failAbandoned fails stale RUNNING rows whose attempts are used up, and only those", async () => {
    const account = await newAccount();
    const exhausted = await newPrediction(account.id);
    const retryable = await newPrediction(account.id);
    for (let i = 0; i < 3; i++) {
      await repo().claim(exhausted.id, { staleAfterSeconds: 60 });
      await ageHeartbeat(exhausted.id, 120);
    }
    await repo().claim(retryable.id, { staleAfterSeconds: 60 });
    await ageHeartbeat(retryable.id, 120);
    const failed = await repo().failAbandoned({
      maxAttempts: 3,
      staleAfterSeconds: 60,
      message: "The job stopped responding three times.",
    });
    expect(failed.map((p) => p.id)).toContain(exhausted.id);
    expect(failed.map((p) => p.id)).not.toContain(retryable.id);
    expect(await repo().getById(exhausted.id)).toMatchObject({
      status: "FAILED",
      errorMessage: "The job stopped responding three times.",
    });
  });
});

describe("list", () => {
  test("pages newest first through an account's predictions with an opaque cursor, without gaps or repeats", async () => {
    const account = await newAccount();
    const other = await newAccount();
    await newPrediction(other.id);
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await newPrediction(account.id));
    // Two rows sharing a created_at must still page deterministically (ties broken by id).
    await db.sql`update predictions set created_at = (select created_at from predictions where id = ${created[3]!.id}) where id = ${created[4]!.id}`;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await repo().list(account.id, { limit: 3, cursor });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    expect(seen.sort()).toEqual(created.map((p) => p.id).sort());
    const firstPage = await repo().list(account.id, { limit: 7 });
    const times = firstPage.items.map((p) => p.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(firstPage.nextCursor).toBeNull();
  });

  test("a garbled cursor is rejected with a stable error code", async () => {
    const account = await newAccount();
    await expect(repo().list(account.id, { limit: 3, cursor: "garbage!" })).rejects.toMatchObject({
      code: "request.invalid_cursor",
    });
  });
});

test("ping resolves against a live database", async () => {
  await expect(repo().ping()).resolves.toBeUndefined();
});
