import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { connect } from "./connect.ts";
import { createPostgresJobQueue, type PostgresJobQueue } from "./job-queue.ts";

// The portable behaviour is in tests/contracts/job-queue.contract.ts; these cover what only the
// Postgres adapter can show: NOTIFY wake-ups, the dead state, receipt rotation, many pools at once.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});
afterAll(() => db.drop());

const queues: PostgresJobQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
});
function newQueue(options: { name?: string; pollIntervalMs?: number } = {}): PostgresJobQueue {
  const queue = createPostgresJobQueue({
    sql: db.sql,
    queue: options.name ?? `q-${randomUUID()}`,
    pollIntervalMs: options.pollIntervalMs,
  });
  queues.push(queue);
  return queue;
}

test("a waiting receiver is woken by NOTIFY, not by polling", async () => {
  const name = `q-${randomUUID()}`;
  const receiver = newQueue({ name, pollIntervalMs: 60_000 });
  const sender = newQueue({ name });
  const parked = receiver.parked();
  const receiving = receiver.receive({ max: 1, waitSeconds: 30, visibilitySeconds: 30 });
  await parked;
  const sentAt = Date.now();
  await sender.send({ kind: "score" as const, id: randomUUID() });
  expect(await receiving).toHaveLength(1);
  expect(Date.now() - sentAt).toBeLessThan(2_000);
});

test("a message past its receives is moved to the dead state, readable as a dead letter", async () => {
  const queue = newQueue();
  const message = { kind: "score" as const, id: randomUUID() };
  await queue.send(message);
  for (let i = 1; i <= 3; i++) {
    const [received] = await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 0 });
    expect(received?.receiveCount).toBe(i);
  }
  expect(await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 0 })).toEqual([]);
  const dead = await queue.deadLetters();
  expect(dead).toHaveLength(1);
  expect(JSON.parse(dead[0]!.body)).toEqual(message);
  expect(dead[0]!.receiveCount).toBe(3);
  expect(dead[0]!.deadLetteredAt).toBeInstanceOf(Date);
});

test("a dead message does not hide a live one queued behind it", async () => {
  const queue = newQueue();
  await queue.send({ kind: "score" as const, id: randomUUID() });
  for (let i = 0; i < 3; i++) await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 0 });
  const live = { kind: "score" as const, id: randomUUID() };
  await queue.send(live);
  const [received] = await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 30 });
  expect(JSON.parse(received!.body)).toEqual(live);
});

test("after redelivery the earlier receipt can neither extend nor delete the message", async () => {
  const queue = newQueue();
  await queue.send({ kind: "score" as const, id: randomUUID() });
  const [first] = await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 0 });
  const [second] = await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 30 });
  await expect(queue.extend(first!.receipt, 30)).rejects.toMatchObject({ code: "queue.receipt_invalid" });
  await queue.delete(first!.receipt);
  await queue.extend(second!.receipt, 30);
  const [{ count }] = (await db.sql<
    { count: number }[]
  >`select count(*) as count from job_queue where id = ${second!.messageId}`) as unknown as [{ count: number }];
  expect(count).toBe(1);
});

test("a receipt that is not one of ours is refused with a stable code", async () => {
  const queue = newQueue();
  await expect(queue.delete("'; drop table job_queue; --")).rejects.toMatchObject({ code: "queue.receipt_invalid" });
});

test("a poison body is delivered as is, for the consumer to count and dead-letter", async () => {
  const queueName = `poison-${randomUUID()}`;
  const poisoned = newQueue({ name: queueName });
  await db.sql`insert into job_queue (queue, body) values (${queueName}, ${"{not json"})`;
  const [received] = await poisoned.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 30 });
  expect(received?.body).toBe("{not json");
});

test("receivers on separate pools drain 200 messages with no message delivered twice", async () => {
  const name = `q-${randomUUID()}`;
  const sender = newQueue({ name });
  await Promise.all(Array.from({ length: 200 }, () => sender.send({ kind: "score" as const, id: randomUUID() })));
  const pools = [connect(db.url, { max: 2 }), connect(db.url, { max: 2 }), connect(db.url, { max: 2 })];
  try {
    const receivers = pools.map((sql) => createPostgresJobQueue({ sql, queue: name }));
    const seen: string[] = [];
    await Promise.all(
      receivers.map(async (queue) => {
        for (;;) {
          const batch = await queue.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 60 });
          if (batch.length === 0) return;
          seen.push(...batch.map((m) => m.messageId));
          await Promise.all(batch.map((m) => queue.delete(m.receipt)));
        }
      }),
    );
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
  } finally {
    await Promise.all(pools.map((sql) => sql.end()));
  }
});

test("receive rejects a batch size SQS would reject", async () => {
  const queue = newQueue();
  await expect(queue.receive({ max: 11, waitSeconds: 0, visibilitySeconds: 30 })).rejects.toMatchObject({
    code: "queue.invalid_max",
  });
});

test("the next receive goes to the account with the fewest messages in flight, not to the oldest message", async () => {
  const queue = newQueue();
  const busy = Array.from({ length: 3 }, () => ({ kind: "train" as const, id: randomUUID() }));
  for (const message of busy) await queue.send(message, { group: "account-a" });
  const other = { kind: "score" as const, id: randomUUID() };
  await queue.send(other, { group: "account-b" });
  const take = async () =>
    JSON.parse((await queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 60 }))[0]!.body);
  expect(await take()).toEqual(busy[0]);
  // Account A holds one; B holds none, so B's newer message comes before A's older ones.
  expect(await take()).toEqual(other);
  expect(await take()).toEqual(busy[1]);
});

test("a receiver asking for some kinds gets only those; a message sent without a kind (before 0014) goes to anyone", async () => {
  const queue = newQueue();
  const training = { kind: "train" as const, id: randomUUID() };
  const scoring = { kind: "score" as const, id: randomUUID() };
  await queue.send(training);
  await queue.send(scoring);
  const receive = (kinds?: ("score" | "index-scores" | "train")[]) =>
    queue.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 60, ...(kinds ? { kinds } : {}) });
  expect((await receive(["score", "index-scores"])).map((m) => JSON.parse(m.body))).toEqual([scoring]);
  await db.sql`update job_queue set kind = null where body = ${JSON.stringify(training)}`;
  expect((await receive(["score"])).map((m) => JSON.parse(m.body))).toEqual([training]);
});
