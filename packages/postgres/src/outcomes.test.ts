import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ScoredCustomer } from "@retainwise/core";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { createPostgresAccountRepository } from "./accounts.ts";
import { createPostgresOutcomeRepository } from "./outcomes.ts";
import { createPostgresPredictionRepository } from "./predictions.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});
afterAll(() => db.drop());

const outcomes = () => createPostgresOutcomeRepository(db.sql);
const batch = (from: number, count: number): ScoredCustomer[] =>
  Array.from({ length: count }, (_, i) => ({ customerId: `C${from + i}`, probability: 0.5 }));
const indexedRows = async (predictionId: string) =>
  (
    await db.sql<
      { n: number }[]
    >`select count(*)::int as n from prediction_scores where prediction_id = ${predictionId}`
  )[0]!.n;

async function newPrediction(): Promise<string> {
  const account = await createPostgresAccountRepository(db.sql).ensureAccount(`acct-${randomUUID()}`);
  const id = randomUUID();
  await createPostgresPredictionRepository(db.sql).create({
    id,
    accountId: account.id,
    inputKey: `inputs/${id}.csv`,
    inputFilename: "customers.csv",
    inputBytes: 1,
  });
  return id;
}

/** Sessions of this test's database blocked on an advisory lock: a copy waiting for another's. */
async function copiesWaitingForTheLock(): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`;
  return row!.n;
}

/** Batches that stop after the first until `release()`: a copy held open mid-way. */
function heldBatches(first: ScoredCustomer[], rest: ScoredCustomer[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let firstYielded!: () => void;
  const started = new Promise<void>((resolve) => (firstYielded = resolve));
  async function* batches() {
    yield first;
    firstYielded();
    await released;
    yield rest;
  }
  return { batches: batches(), started, release };
}

describe("copying a prediction's scores", () => {
  test("a copy in progress is invisible, a second copy waits for it and finds the whole set, and nothing is copied twice", async () => {
    const id = await newPrediction();
    const held = heldBatches(batch(0, 500), batch(500, 500));
    const first = outcomes().indexScores(id, held.batches);
    // The copy asks for its second batch once the first batch's insert has run: those rows are in
    // the database, in its open transaction.
    await held.started;
    expect(await indexedRows(id)).toBe(0);

    let secondDone = false;
    const second = outcomes()
      .indexScores(
        id,
        (async function* () {
          yield batch(0, 10);
        })(),
      )
      .finally(() => (secondDone = true));
    await expect.poll(() => copiesWaitingForTheLock(), { timeout: 10_000 }).toBe(1);
    expect(secondDone).toBe(false);

    held.release();
    expect(await first).toBe(1000);
    expect(await second).toBe(1000);
    expect(await indexedRows(id)).toBe(1000);
  });

  test("a copy cut short by an error leaves nothing behind, and the next copy makes the whole set", async () => {
    const id = await newPrediction();
    async function* failing() {
      yield batch(0, 100);
      throw new Error("the result file could not be read");
    }
    await expect(outcomes().indexScores(id, failing())).rejects.toThrow();
    expect(await indexedRows(id)).toBe(0);
    expect(
      await outcomes().indexScores(
        id,
        (async function* () {
          yield batch(0, 100);
          yield batch(100, 50);
        })(),
      ),
    ).toBe(150);
    expect(await indexedRows(id)).toBe(150);
  });
});
