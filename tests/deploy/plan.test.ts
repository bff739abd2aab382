import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../support/run-command.ts";
import { requireSstPlatform } from "./sst-platform.ts";

interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/** The offline plan: sst.config.ts's run() evaluated under Pulumi mocks (plan-runner.mjs). */
async function plan(stage: string, dev: boolean): Promise<PlannedResource[]> {
  const run = await runCommand("node", [join(import.meta.dirname, "plan-runner.mjs"), stage, String(dev)], { timeoutMs: 120_000 });
  if (run.status !== 0) throw new Error(`plan of ${stage} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as PlannedResource[];
}

const one = (resources: PlannedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  expect(found, `resource ${name}`).toHaveLength(1);
  return found[0]!;
};
const ofType = (resources: PlannedResource[], type: string) => resources.filter((r) => r.type === type);
const containers = (resources: PlannedResource[], task: string) => JSON.parse(one(resources, task).inputs.containerDefinitions.value ?? one(resources, task).inputs.containerDefinitions)[0];
const statements = (resources: PlannedResource[], role: string) =>
  JSON.parse(one(resources, role).inputs.inlinePolicies[0].policy).Statement as { Action: string[]; Resource: string[] }[];
const actions = (resources: PlannedResource[], role: string) => statements(resources, role).flatMap((s) => s.Action);

let production: PlannedResource[];
let personal: PlannedResource[];
let dev: PlannedResource[];
beforeAll(async () => {
  requireSstPlatform();
  production = await plan("production", false);
  personal = await plan("alice", false);
  dev = await plan("alice", true);
}, 300_000);

describe("the jobs queue", () => {
  it("dead-letters after 3 receives, hides messages 300 s, keeps them 4 days and dead letters 14 days", () => {
    const jobs = one(production, "JobsQueue").inputs;
    const dlq = one(production, "JobsDeadLetterQueue").inputs;
    expect(JSON.parse(jobs.redrivePolicy)).toMatchObject({ maxReceiveCount: 3, deadLetterTargetArn: expect.stringContaining("JobsDeadLetterQueue") });
    expect(jobs.visibilityTimeoutSeconds).toBe(300);
    expect(jobs.messageRetentionSeconds).toBe(4 * 24 * 3600);
    expect(dlq.messageRetentionSeconds).toBe(14 * 24 * 3600);
  });
});

describe("least privilege", () => {
  it("lets the API send jobs but never receive them, and touch only the bucket's objects", () => {
    const api = actions(production, "ApiTaskRole");
    expect(api).toContain("sqs:SendMessage");
    expect(api).not.toContain("sqs:ReceiveMessage");
    expect(api).not.toContain("sqs:DeleteMessage");
    expect(api.filter((a) => a.endsWith("*"))).toEqual([]);
  });

  it("lets the worker receive, delete and extend jobs but never send them", () => {
    const worker = actions(production, "WorkerTaskRole");
    expect(worker).toEqual(expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]));
    expect(worker).not.toContain("sqs:SendMessage");
    expect(worker.filter((a) => a.endsWith("*"))).toEqual([]);
  });

  it("lets both roles read and write models: trained ones under accounts/<id>/models/, the built-in one under models/", () => {
    for (const role of ["ApiTaskRole", "WorkerTaskRole"]) {
      const writable = statements(production, role)
        .filter((s) => s.Action.includes("s3:PutObject") && s.Action.includes("s3:GetObject"))
        .flatMap((s) => s.Resource);
      for (const prefix of ["accounts/", "models/"]) expect(writable.some((r) => r.endsWith("/*") || r.endsWith(`/${prefix}*`))).toBe(true);
    }
  });

  it("gives no task any access to the dead-letter queue", () => {
    for (const role of ["ApiTaskRole", "WorkerTaskRole"]) {
      const resources = statements(production, role).flatMap((s) => s.Resource);
      expect(resources.some((r) => r.includes("JobsDeadLetter"))).toBe(false);
      expect(resources.filter((r) => r.includes("JobsQueue"))).not.toEqual([]);
    }
  });
});

describe("the containers", () => {
  it("run the api and worker roles of one image, configured by env and links, never by hand", () => {
    const api = containers(production, "ApiTask");
    const worker = containers(production, "WorkerTask");
    expect(api.command).toEqual(["api"]);
    expect(worker.command).toEqual(["worker"]);
    for (const container of [api, worker]) {
      const env = Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(env).toMatchObject({ RETAINWISE_MODE: "aws", RETAINWISE_QUEUE_URL: expect.stringContaining("JobsQueue"), RETAINWISE_BUCKET: expect.stringContaining("uploads") });
      expect(JSON.parse(env.SST_RESOURCE_Database)).toMatchObject({ host: expect.any(String), port: 5432, database: "retainwise" });
    }
  });

  it("give the worker ECS's stop timeout just past its SIGTERM deadline", () => {
    const worker = containers(production, "WorkerTask");
    const deadline = Number(worker.environment.find((e: { name: string }) => e.name === "RETAINWISE_SHUTDOWN_DEADLINE_SECONDS").value);
    expect(worker.stopTimeout).toBeGreaterThan(deadline);
    expect(worker.stopTimeout).toBeLessThanOrEqual(deadline + 10);
  });

  it("check the API's health on /readyz behind the load balancer", () => {
    const [group] = ofType(production, "aws:lb/targetGroup:TargetGroup");
    expect(group!.inputs.healthCheck).toMatchObject({ path: "/readyz" });
  });
});

describe("the bucket", () => {
  it("blocks all public access and encrypts every object at rest", () => {
    const [block] = ofType(production, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(block!.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const [sse] = ofType(production, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    expect(sse!.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe("AES256");
  });
});

describe("scaling and alarms", () => {
  it("scale the worker on the jobs queue's depth", () => {
    const alarm = one(production, "WorkerQueueHasWork").inputs;
    expect(alarm).toMatchObject({ metricName: "ApproximateNumberOfMessagesVisible", namespace: "AWS/SQS" });
    expect(alarm.dimensions.QueueName).toContain("JobsQueue");
    expect(alarm.alarmActions[0]).toContain("WorkerScaleOnQueueDepth");
    expect(one(production, "WorkerScaleOnQueueDepth").inputs.policyType).toBe("StepScaling");
  });

  it("alarm when the dead-letter queue is not empty and when a job waits over 30 minutes", () => {
    expect(one(production, "JobsDeadLetterNotEmpty").inputs).toMatchObject({ threshold: 0, dimensions: { QueueName: expect.stringContaining("JobsDeadLetterQueue") } });
    expect(one(production, "JobsOldestMessageTooOld").inputs).toMatchObject({ metricName: "ApproximateAgeOfOldestMessage", threshold: 1800 });
  });
});

describe("stages", () => {
  it("keep production redundant and always on, and let personal stages scale workers to zero", () => {
    const target = (resources: PlannedResource[]) => ofType(resources, "aws:appautoscaling/target:Target").find((t) => String(t.inputs.resourceId).endsWith("/Worker"))!.inputs;
    expect(target(production).minCapacity).toBeGreaterThan(0);
    expect(target(personal).minCapacity).toBe(0);
    expect(ofType(production, "aws:rds/instance:Instance")[0]!.inputs.multiAz).toBe(true);
    expect(ofType(personal, "aws:rds/instance:Instance")[0]!.inputs.multiAz).toBe(false);
  });

  it("expire uploads and results after the stage's retention", () => {
    const rules = (resources: PlannedResource[]) => ofType(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!.inputs.rules;
    // Never accounts/ (trained models and their training files) nor models/ (the built-in model).
    expect(rules(production).map((r: { filter: { prefix: string } }) => r.filter.prefix)).toEqual(["inputs/", "results/"]);
    expect(rules(production)[0].expiration.days).toBeGreaterThan(rules(personal)[0].expiration.days);
  });

  it("under sst dev create no database instance and no ECS service: those run locally", () => {
    expect(ofType(dev, "aws:rds/instance:Instance")).toEqual([]);
    expect(ofType(dev, "aws:ecs/service:Service")).toEqual([]);
    expect(ofType(personal, "aws:ecs/service:Service")).toHaveLength(2);
  });
});
