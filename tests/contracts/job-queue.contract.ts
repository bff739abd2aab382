/**
 * The `JobQueue` contract: what both adapters (SQS, the Postgres table) must do, defined once.
 * Semantics are SQS's (docs/queue.md); each test gets a fresh, empty queue from `makeQueue`.
 *
 * @example
 *   // tests/contracts/local-adapters.test.ts, packages/aws/src/*.test.ts
 *   jobQueueContract("Postgres job queue", async () => {
 *     const queue = createPostgresJobQueue({ sql, queue: `contract-${randomUUID()}` });
 *     return { queue, parked: () => queue.parked(), dispose: () => queue.close() };
 *   });
 *
 * Timing: visibility timeouts are whole seconds (SQS's unit), so the suite takes ~20 s.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, test } from "vitest";
import { MAX_RECEIVES, type JobQueue, type ReceivedMessage } from "../../packages/core/src/index.ts";

export interface QueueFixture {
  queue: JobQueue;
  /**
   * Resolves once the next long-polling receive is waiting where a sent message reaches it (the
   * Postgres adapter: parked with LISTEN established; SQS: its ReceiveMessage request sent).
   */
  parked(): Promise<void>;
  dispose?: () => Promise<void>;
}

export function jobQueueContract(name: string, makeQueue: () => Promise<QueueFixture>): void {
  describe(`${name} (JobQueue contract)`, () => {
    const fixtures: QueueFixture[] = [];
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((fixture) => fixture.dispose?.()));
    });
    const fresh = async (): Promise<JobQueue> => (await freshFixture()).queue;
    const freshFixture = async (): Promise<QueueFixture> => {
      const fixture = await makeQueue();
      fixtures.push(fixture);
      return fixture;
    };

    test("a sent message is received with its body, a receipt and receive count 1", async () => {
      const queue = await fresh();
      const message = { kind: "score" as const, id: randomUUID() };
      await queue.send(message);
      const received = await receiveOne(queue, { visibilitySeconds: 30 });
      expect(JSON.parse(received.body)).toEqual(message);
      expect(received.receiveCount).toBe(1);
      expect(received.receipt).toEqual(expect.any(String));
      expect(received.messageId).toEqual(expect.any(String));
    });

    test("a message sent with a fairness group (the account) is received like any other", async () => {
      const queue = await fresh();
      const message = { kind: "train" as const, id: randomUUID() };
      await queue.send(message, { group: randomUUID() });
      expect(JSON.parse((await receiveOne(queue, { visibilitySeconds: 30 })).body)).toEqual(message);
    });

    test("a received message stays hidden until its visibility lapses, then returns with a new receipt and count 2", async () => {
      const queue = await fresh();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      const first = await receiveOne(queue, { visibilitySeconds: 1 });
      expect(await queue.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 30 })).toEqual([]);
      const second = await receiveOne(queue, { visibilitySeconds: 30 });
      expect(second.messageId).toBe(first.messageId);
      expect(second.receiveCount).toBe(2);
      expect(second.receipt).not.toBe(first.receipt);
    });

    test("an extended message is not redelivered when its original visibility would have lapsed", async () => {
      const queue = await fresh();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      const first = await receiveOne(queue, { visibilitySeconds: 1 });
      await queue.extend(first.receipt, 30);
      expect(await queue.receive({ max: 10, waitSeconds: 3, visibilitySeconds: 30 })).toEqual([]);
    });

    test("a deleted message is never delivered again", async () => {
      const queue = await fresh();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      const first = await receiveOne(queue, { visibilitySeconds: 1 });
      await queue.delete(first.receipt);
      expect(await queue.receive({ max: 10, waitSeconds: 3, visibilitySeconds: 30 })).toEqual([]);
    });

    test("a released message is redelivered at once with its receive count plus one", async () => {
      const queue = await fresh();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      const first = await receiveOne(queue, { visibilitySeconds: 60 });
      await queue.release(first.receipt);
      const started = Date.now();
      const again = await receiveOne(queue, { visibilitySeconds: 60 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(again.messageId).toBe(first.messageId);
      expect(again.receiveCount).toBe(2);
    });

    test(`a message received ${MAX_RECEIVES} times without a delete is dead-lettered instead of delivered again`, async () => {
      const queue = await fresh();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      const counts: number[] = [];
      for (let i = 0; i < MAX_RECEIVES; i++) {
        const message = await receiveOne(queue, { visibilitySeconds: 1 });
        counts.push(message.receiveCount);
      }
      expect(counts).toEqual([1, 2, 3]);
      expect(await queue.receive({ max: 10, waitSeconds: 4, visibilitySeconds: 30 })).toEqual([]);
    });

    test("receive returns at most `max` messages and concurrent receivers never share one", async () => {
      const queue = await fresh();
      const sent = Array.from({ length: 6 }, () => ({ kind: "score" as const, id: randomUUID() }));
      await Promise.all(sent.map((message) => queue.send(message)));
      const batches = await Promise.all(
        [1, 2, 3].map(() => queue.receive({ max: 2, waitSeconds: 2, visibilitySeconds: 60 })),
      );
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(2);
      const got = batches.flat();
      while (got.length < sent.length) {
        const more = await queue.receive({ max: 2, waitSeconds: 2, visibilitySeconds: 60 });
        if (more.length === 0) break;
        got.push(...more);
      }
      const ids = got.map((message) => JSON.parse(message.body).id as string);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(sent.map((message) => message.id).sort());
    });

    test("a long-polling receive wakes up when a message is sent", async () => {
      const { queue, parked } = await freshFixture();
      const waiting = parked();
      const receiving = queue.receive({ max: 1, waitSeconds: 15, visibilitySeconds: 30 });
      await waiting; // the message is sent only once the receiver waits in its long poll
      const sentAt = Date.now();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      const messages = await receiving;
      expect(messages).toHaveLength(1);
      expect(Date.now() - sentAt).toBeLessThan(5_000);
    });

    test("a receive on an empty queue resolves empty after its wait", async () => {
      const queue = await fresh();
      const started = Date.now();
      expect(await queue.receive({ max: 1, waitSeconds: 1, visibilitySeconds: 30 })).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    test("aborting a long-polling receive resolves it empty, promptly", async () => {
      const queue = await fresh();
      const controller = new AbortController();
      const started = Date.now();
      const receiving = queue.receive({ max: 1, waitSeconds: 20, visibilitySeconds: 30, signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      expect(await receiving).toEqual([]);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    test("a receive with an already-aborted signal takes nothing, leaving the message for the next receiver", async () => {
      const queue = await fresh();
      await queue.send({ kind: "score" as const, id: randomUUID() });
      expect(
        await queue.receive({ max: 1, waitSeconds: 5, visibilitySeconds: 30, signal: AbortSignal.abort() }),
      ).toEqual([]);
      const message = await receiveOne(queue, { visibilitySeconds: 30 });
      expect(message.receiveCount).toBe(1);
    });

    test("ping resolves when the queue is reachable", async () => {
      const queue = await fresh();
      await expect(queue.ping()).resolves.toBeUndefined();
    });
  });
}

/** Long-polls (up to 10 s) for exactly one message. */
async function receiveOne(queue: JobQueue, options: { visibilitySeconds: number }): Promise<ReceivedMessage> {
  const messages = await queue.receive({ max: 1, waitSeconds: 10, visibilitySeconds: options.visibilitySeconds });
  expect(messages).toHaveLength(1);
  return messages[0]!;
}
