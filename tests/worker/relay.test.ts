import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqsJobQueue } from "../../packages/aws/src/index.ts";
import { createLogger, type JobQueue } from "../../packages/core/src/index.ts";
import { ABANDONED_CODE } from "../../packages/postgres/src/index.ts";
import { relayOnce } from "../../packages/worker/src/index.ts";
import { startAwsEmulator, type AwsEmulator } from "../support/aws.ts";
import { startJobHarness, TELCO_CSV, type JobHarness } from "../support/job-harness.ts";

/**
 * The relay against real PostgreSQL and SQS (fauxqs). A queue URL that does not exist makes SQS
 * answer HTTP 400, a refusal the adapter treats like AccessDenied: permanent, not worth a retry.
 */
let h: JobHarness;
let aws: AwsEmulator;
let sqs: JobQueue;
let refusing: JobQueue;
const logs: Record<string, unknown>[] = [];
const logger = createLogger({}, { level: "debug", write: (line) => logs.push(JSON.parse(line)) });

beforeAll(async () => {
  [h, aws] = await Promise.all([startJobHarness(), startAwsEmulator()]);
  sqs = createSqsJobQueue({ client: aws.sqs, queueUrl: aws.queueUrl });
  refusing = createSqsJobQueue({
    client: aws.sqs,
    queueUrl: aws.queueUrl.replace(/[^/]+$/, `missing-${randomUUID().slice(0, 8)}`),
  });
});
afterAll(async () => {
  await aws.stop();
  await h.close();
});

const relay = (queue: JobQueue) =>
  relayOnce({
    jobs: [{ kind: "score", rows: h.predictions }],
    queue,
    intervalSeconds: 1,
    graceSeconds: 0,
    staleAfterSeconds: 20,
    logger,
  });

/** A RUNNING row on its last attempt whose worker stopped heart-beating a minute ago. */
async function abandonedJob(): Promise<string> {
  const { id } = await h.submit(TELCO_CSV);
  await h.db
    .sql`update predictions set status = 'RUNNING', attempts = 3, heartbeat_at = now() - interval '60 seconds' where id = ${id}`;
  return id;
}

async function drainQueue(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const messages = await sqs.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 30 });
    if (messages.length === 0) return ids;
    for (const m of messages) {
      ids.push((JSON.parse(m.body) as { id: string }).id);
      await sqs.delete(m.receipt);
    }
  }
}

describe("the outbox relay", () => {
  it("sends every other job and still runs the reaper when the queue refuses one send", async () => {
    const [first, refused, last] = [
      await h.submit(TELCO_CSV, { send: false }),
      await h.submit(TELCO_CSV, { send: false }),
      await h.submit(TELCO_CSV, { send: false }),
    ];
    const abandoned = await abandonedJob();
    const routed: JobQueue = { ...sqs, send: (message) => (message.id === refused.id ? refusing : sqs).send(message) };

    const result = await relay(routed);

    expect(result).toEqual({ resent: 2, failed: 1, abandoned: 1 });
    expect((await drainQueue()).sort()).toEqual([first.id, last.id].sort());
    expect((await h.predictions.getById(refused.id))?.enqueuedAt).toBeNull();
    expect((await h.predictions.getById(first.id))?.enqueuedAt).not.toBeNull();
    expect(await h.predictions.getById(abandoned)).toMatchObject({ status: "FAILED", errorCode: ABANDONED_CODE });
    const failure = logs.find((l) => l.msg === "relay: re-sending a job message failed");
    expect(failure).toMatchObject({ level: "error", jobId: refused.id });
    expect(JSON.stringify(failure)).toContain("aws.failed");
  });

  it("sends a refused job on a later pass once the queue accepts it", async () => {
    const refusedEverywhere = await relay(refusing);
    expect(refusedEverywhere.resent).toBe(0);
    expect(refusedEverywhere.failed).toBeGreaterThanOrEqual(1);
    const later = await relay(sqs);
    expect(later).toMatchObject({ failed: 0 });
    expect(later.resent).toBe(refusedEverywhere.failed);
    expect(await drainQueue()).toHaveLength(later.resent);
  });

  it("fails abandoned jobs even when every send is refused", async () => {
    await h.submit(TELCO_CSV, { send: false });
    const abandoned = await abandonedJob();
    const result = await relay(refusing);
    expect(result).toMatchObject({ resent: 0, abandoned: 1 });
    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect((await h.predictions.getById(abandoned))?.status).toBe("FAILED");
    await relay(sqs);
    await drainQueue();
  });
});
