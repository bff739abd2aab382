import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEcsTaskProtection } from "../../packages/aws/src/index.ts";
import { createLogger, RetainwiseError } from "../../packages/core/src/index.ts";
import { protectWhileBusy, startWorker } from "../../packages/worker/src/index.ts";
import { startJobHarness, TELCO_CSV, type JobHarness } from "../support/job-harness.ts";

/**
 * Task scale-in protection over real HTTP: a local server stands in for the ECS agent endpoint
 * ($ECS_AGENT_URI/task-protection/v1/state) and answers as the agent does.
 */
let agent: Server;
let agentUri: string;
let calls: { method: string; path: string; body: { ProtectionEnabled: boolean; ExpiresInMinutes?: number } }[];
let answer: { status: number; body: unknown };
const PROTECTED = (enabled: boolean) => ({
  status: 200,
  body: { protection: { ProtectionEnabled: enabled, TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/1" } },
});

let h: JobHarness;
const logs: Record<string, unknown>[] = [];
const logger = createLogger({}, { write: (line) => logs.push(JSON.parse(line)) });

beforeAll(async () => {
  agent = createServer((request, response) => {
    let text = "";
    request
      .on("data", (chunk) => (text += chunk))
      .on("end", () => {
        const body = JSON.parse(text);
        calls.push({ method: request.method!, path: request.url!, body });
        const reply = answer.status === 200 ? PROTECTED(body.ProtectionEnabled) : answer;
        response.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body));
      });
  });
  await new Promise<void>((resolve) => agent.listen(0, "127.0.0.1", resolve));
  agentUri = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/api/task-1`;
  h = await startJobHarness();
});
afterAll(async () => {
  agent.close();
  await h.close();
});
beforeEach(() => {
  calls = [];
  answer = PROTECTED(true);
  logs.length = 0;
});

describe("the ECS task protection adapter", () => {
  it("PUTs protection with its expiry to the agent's state endpoint, and removes it", async () => {
    const protection = createEcsTaskProtection({ agentUri });
    await protection.set(true, 60);
    await protection.set(false, 60);
    expect(calls).toEqual([
      {
        method: "PUT",
        path: "/api/task-1/task-protection/v1/state",
        body: { ProtectionEnabled: true, ExpiresInMinutes: 60 },
      },
      { method: "PUT", path: "/api/task-1/task-protection/v1/state", body: { ProtectionEnabled: false } },
    ]);
  });

  it("reports the agent's refusal with its reason and what to check", async () => {
    answer = {
      status: 400,
      body: {
        error: { Code: "AccessDeniedException", Message: "User is not authorized to perform ecs:UpdateTaskProtection" },
      },
    };
    const refused = await createEcsTaskProtection({ agentUri })
      .set(true, 60)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RetainwiseError);
    expect(refused).toMatchObject({ code: "ecs.task_protection_refused", permanent: false });
    expect((refused as Error).message).toMatch(/not authorized[\s\S]*ecs:UpdateTaskProtection/);
  });
});

describe("a worker with task protection", () => {
  it("is protected from its first job until its last one ends, with one call each way", async () => {
    const release: (() => void)[] = [];
    const started: string[] = [];
    let idled = 0;
    await Promise.all([h.submit(TELCO_CSV), h.submit(TELCO_CSV)]);
    const hooks = protectWhileBusy(createEcsTaskProtection({ agentUri }), { logger });
    const worker = startWorker({
      queue: h.queue,
      concurrency: 2,
      visibilitySeconds: 30,
      waitSeconds: 1,
      logger,
      onBusy: hooks.onBusy,
      // Counted once the hook has applied the transition (and made any call it was going to make).
      onIdle: () => hooks.onIdle().then(() => void idled++),
      handle: async (message) => {
        started.push(message.messageId);
        await new Promise<void>((resolve) => release.push(resolve));
        await h.queue.delete(message.receipt);
      },
    });
    await until(() => started.length === 2);
    expect(calls.map((c) => c.body.ProtectionEnabled)).toEqual([true]);
    release.shift()!();
    // The first job's slot has gone idle with the other job still held: no call turned protection off.
    await until(() => idled === 1);
    expect(calls.map((c) => c.body.ProtectionEnabled)).toEqual([true]);
    release.shift()!();
    await until(() => calls.length === 2);
    await worker.stop(1_000);
    expect(calls.map((c) => c.body.ProtectionEnabled)).toEqual([true, false]);
  });

  it("keeps scoring when the agent refuses, and logs the refusal", async () => {
    answer = { status: 500, body: { failure: { Reason: "agent restarting" } } };
    const hooks = protectWhileBusy(createEcsTaskProtection({ agentUri }), { logger });
    await hooks.onBusy();
    await hooks.onIdle();
    expect(calls).toHaveLength(1);
    expect(logs.find((l) => l.msg === "task protection call failed")).toMatchObject({ level: "warn", protect: true });
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
