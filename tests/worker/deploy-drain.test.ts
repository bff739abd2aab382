import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createLogger,
  waitForScoreCopies,
  type JobQueue,
  type ReceivedMessage,
} from "../../packages/core/src/index.ts";
import { createPostgresWorkerGenerations } from "../../packages/postgres/src/index.ts";
import { drainOnNewGeneration, startWorker } from "../../packages/worker/src/index.ts";
import { startJobHarness, TELCO_CSV, type JobHarness } from "../support/job-harness.ts";
import { writeTelcoRows } from "../support/telco.ts";
import { workerProcesses } from "../support/worker-process.ts";

/**
 * Deploys that finish while workers are busy. ECS never stops a scale-in protected task, and a
 * worker under a steady backlog is always protected, so the deploy's new generation of workers is
 * the draining signal: an old worker claims nothing more, its jobs in hand finish (or are released
 * at the drain deadline), its protection ends with them, and SIGTERM then finds it idle.
 */
const ROWS = 300_000;
const LONG_ROWS = 1_000_000;
const logger = createLogger({}, { write: () => {} });

let h: JobHarness;
let bigCsv: string;
let agent: Server;
let agentUri: string;
/** Task protection calls by worker (the agent URI's last path segment), as the ECS agent would see them. */
let protection: Record<string, boolean[]>;
const workers = workerProcesses(() => h);

beforeAll(async () => {
  h = await startJobHarness();
  bigCsv = join(h.dataDir, "big.csv");
  await writeTelcoRows(bigCsv, ROWS);
  agent = createServer((request, response) => {
    let text = "";
    request
      .on("data", (chunk) => (text += chunk))
      .on("end", () => {
        const { ProtectionEnabled } = JSON.parse(text) as { ProtectionEnabled: boolean };
        const task = request.url!.split("/")[2]!;
        protection[task] ??= [];
        protection[task].push(ProtectionEnabled);
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ protection: { ProtectionEnabled } }));
      });
  });
  await new Promise<void>((resolve) => agent.listen(0, "127.0.0.1", resolve));
  agentUri = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/task`;
});
afterAll(async () => {
  await workers.stopAll();
  agent.close();
  await h.close();
});
beforeEach(() => {
  protection = {};
});

/** A worker process of `generation` (the task definition revision a deploy raises), its protection reported as `task`. */
function startGeneration(
  generation: number,
  task: string,
  env: Record<string, string> = {},
): { child: ChildProcess; log: string[] } {
  const child = workers.start(
    {
      RETAINWISE_WORKER_GENERATION: String(generation),
      RETAINWISE_WORKER_CONCURRENCY: "1",
      RETAINWISE_DRAIN_CHECK_SECONDS: "0.2",
      // A busy, loaded test machine can hold a worker's event loop for seconds: a shorter window would
      // let the old worker take the new one for gone (a rollback) and claim again mid-test.
      RETAINWISE_DRAIN_ALIVE_SECONDS: "15",
      RETAINWISE_LOG_LEVEL: "info",
      // Release hands a message back at once; long claims keep a loaded machine's slow heartbeats from
      // having a job reclaimed as stale (an extra attempt that is not what these tests are about).
      RETAINWISE_VISIBILITY_SECONDS: "60",
      RETAINWISE_STALE_AFTER_SECONDS: "45",
      RETAINWISE_HEARTBEAT_SECONDS: "1",
      ECS_AGENT_URI: `${agentUri}/${task}`,
      ...env,
    },
    { stderr: "pipe" },
  );
  const log: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => log.push(...chunk.toString().split("\n").filter(Boolean)));
  return { child, log };
}

describe("a deploy while workers are busy (two worker processes)", () => {
  it("the old worker claims nothing once the new generation runs, finishes its job, ends its protection, and exits on SIGTERM at once", async () => {
    const old = startGeneration(1, "old");
    const first = await h.submit(bigCsv);
    await h.waitFor(first.id, (row) => row.status === "RUNNING" && row.rowsProcessed > 0, 60_000);

    // The deploy: a new task definition revision starts.
    const next = startGeneration(2, "new");
    await until(() => old.log.some((line) => line.includes("a newer worker generation is running: draining")), 120_000);
    const second = await h.submit(bigCsv);
    await h.waitFor(second.id, (row) => row.status === "RUNNING", 60_000);

    const firstDone = await h.waitFor(first.id, (row) => row.status === "COMPLETED", 120_000);
    expect(firstDone.attempts).toBe(1);
    // The old worker is idle now: a worker that still claimed would take this job at once.
    const third = await h.submit(TELCO_CSV);
    const secondDone = await h.waitFor(second.id, (row) => row.status === "COMPLETED", 120_000);
    const thirdDone = await h.waitFor(third.id, (row) => row.status === "COMPLETED", 60_000);
    expect(thirdDone.startedAt!.getTime()).toBeGreaterThanOrEqual(secondDone.completedAt!.getTime() - 1_000);
    // The score copies the three completions queued run on the new worker too (the old one claims
    // nothing): once they are done it is idle, and none is left for the next test's old worker.
    await waitForScoreCopies(h.outcomes, h.accountId, undefined, 60_000);
    expect(await h.outcomes.pendingScoreCopies(h.accountId)).toBe(0);

    // One protection period, for the one job it held: ECS could stop the old task from then on.
    expect(protection.old).toEqual([true, false]);
    // The new worker: protected while it held its jobs (back-to-back jobs may share one period), unprotected at the end.
    expect(protection.new![0]).toBe(true);
    // Its last job's row is done a moment before its slot lets go and turns protection off.
    await until(() => protection.new!.at(-1) === false);
    expect(protection.new!.every((enabled, i) => (i % 2 === 0 ? enabled : !enabled))).toBe(true);

    const stoppedAt = Date.now();
    old.child.kill("SIGTERM");
    const [code] = await once(old.child, "exit");
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    next.child.kill("SIGTERM");
    await once(next.child, "exit");
  }, 300_000);

  it("a job still running at the drain deadline is released and finished by the new generation", async () => {
    const longCsv = join(h.dataDir, "long.csv");
    await writeTelcoRows(longCsv, LONG_ROWS);
    // Generations above the first test's, whose rows stay alive for a while.
    const old = startGeneration(3, "old", { RETAINWISE_DRAIN_DEADLINE_SECONDS: "1" });
    const job = await h.submit(longCsv);
    await h.waitFor(job.id, (row) => row.status === "RUNNING" && row.rowsProcessed > 0, 60_000);
    // The deploy's generation announces itself at once (what its first task does at start-up), so the
    // old worker's deadline runs out while this long job (about 10 s of scoring) is surely still running,
    // however slowly the new worker process itself starts on a loaded machine.
    const generations = createPostgresWorkerGenerations(h.db.sql);
    const announce = setInterval(() => void generations.refresh(4, { aliveSeconds: 15 }), 1_000);
    await generations.refresh(4, { aliveSeconds: 15 });
    const released = await h.waitFor(job.id, (row) => row.status !== "RUNNING", 60_000);
    expect(released.status).toBe("QUEUED");
    // The worker releases the job, then ends its protection: on a loaded machine the agent hears it a moment later.
    await expect.poll(() => protection.old, { timeout: 10_000 }).toEqual([true, false]);
    const next = startGeneration(4, "new");
    const done = await h.waitFor(job.id, (row) => row.status === "COMPLETED" || row.status === "FAILED", 240_000);
    clearInterval(announce);
    expect(done.status).toBe("COMPLETED");
    expect(done.attempts).toBe(2);
    expect(done.rowsProcessed).toBe(LONG_ROWS);
    expect(protection.old).toEqual([true, false]);
    for (const { child } of [old, next]) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }, 300_000);
});

describe("the drain signal, in process", () => {
  it("says draining exactly while a newer generation is alive", async () => {
    const generations = createPostgresWorkerGenerations(h.db.sql);
    let checks = 0;
    const counted = {
      refresh: (generation: number, options: { aliveSeconds: number }) =>
        generations.refresh(generation, options).finally(() => void checks++),
    };
    const drain = drainOnNewGeneration({
      generations: counted,
      generation: 10,
      logger,
      checkSeconds: 0.05,
      aliveSeconds: 0.5,
    });
    // Once a second check has begun, the first one's answer (no newer generation) is in.
    await until(() => checks >= 2);
    expect(drain.draining()).toBe(false);
    await generations.refresh(11, { aliveSeconds: 0.5 });
    await until(() => drain.draining());
    // Generation 11 stops refreshing (its deploy rolled back): the old worker claims again.
    await until(() => !drain.draining(), 5_000);
    await drain.stop();
  });

  it("a draining worker never receives, and receives again once the drain ends", async () => {
    let receives = 0;
    const queue = {
      receive: async () => {
        receives++;
        await new Promise((r) => setTimeout(r, 20));
        return [] as ReceivedMessage[];
      },
    } as unknown as JobQueue;
    let draining = true;
    let looks = 0;
    const worker = startWorker({
      queue,
      concurrency: 2,
      visibilitySeconds: 30,
      waitSeconds: 1,
      logger,
      draining: () => {
        looks++;
        return draining;
      },
      handle: async () => {},
    });
    // Both slots have gone round their loop, each looking at the drain signal again, without receiving.
    await until(() => looks >= 6);
    expect(receives).toBe(0);
    draining = false;
    await until(() => receives > 0);
    await worker.stop(100);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
