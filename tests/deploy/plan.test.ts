import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCommand } from "../support/run-command.ts";
import { connectionsAtFullScale, MAX_CONNECTIONS, STAGES } from "../../stacks/stages.ts";
import { ROOT, requireSstPlatform } from "./sst-platform.ts";
import {
  boundaryArn,
  BOUNDARY_POLICY_NAME,
  CI_PATH,
  ciPolicies,
  namePrefix,
  OIDC_SUBJECT_CLAIM_KEYS,
} from "../../infra/ci/policies.ts";
import { isAllowed } from "./iam-evaluate.ts";
import { IAM_LIMITS, iamPolicySize } from "./iam-limits.ts";

interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** An existing resource read with `X.get(name, id)` (e.g. the shared VPC), not one this stage creates. */
  read?: boolean;
  id?: string;
  /**
   * Resource options that matter here (ignoreChanges; dependsOn, by name), the URN's type (parents' types
   * and its own, `$`-joined) and how many aliases it has, as the runner recorded them.
   */
  options?: { ignoreChanges?: string[]; dependsOn?: string[]; urnType?: string; aliases?: number };
}

/** The offline plan: sst.config.ts's run() evaluated under Pulumi mocks (plan-runner.mjs). */
async function plan(stage: string, dev: boolean, config = "sst.config.ts"): Promise<PlannedResource[]> {
  const run = await runCommand("node", [join(import.meta.dirname, "plan-runner.mjs"), stage, String(dev), config], {
    timeoutMs: 540_000,
    env: { ...process.env, GITHUB_REPOSITORY: "retainwise/retainwise" },
  });
  if (run.status !== 0)
    throw new Error(`plan of ${stage} failed (${run.signal ?? `exit ${run.status}`}): ${run.stderr}`);
  return JSON.parse(run.stdout) as PlannedResource[];
}

const one = (resources: PlannedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  expect(found, `resource ${name}`).toHaveLength(1);
  return found[0]!;
};
const ofType = (resources: PlannedResource[], type: string) => resources.filter((r) => r.type === type && !r.read);
const reads = (resources: PlannedResource[], type: string) => resources.filter((r) => r.type === type && r.read);
const containers = (resources: PlannedResource[], task: string) =>
  JSON.parse(
    one(resources, task).inputs.containerDefinitions.value ?? one(resources, task).inputs.containerDefinitions,
  )[0];
const statements = (resources: PlannedResource[], role: string) =>
  JSON.parse(one(resources, role).inputs.inlinePolicies[0].policy).Statement as {
    Action: string[];
    Resource: string[];
  }[];
const actions = (resources: PlannedResource[], role: string) => statements(resources, role).flatMap((s) => s.Action);
const env = (container: { environment: { name: string; value: string }[] }) =>
  Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
const service = (resources: PlannedResource[], name: "Api" | "Worker") => one(resources, `${name}Service`).inputs;

let production: PlannedResource[];
let staging: PlannedResource[];
let personal: PlannedResource[];
let dev: PlannedResource[];
let ci: PlannedResource[];
let previewPlan: PlannedResource[];
let network: PlannedResource[];
beforeAll(async () => {
  requireSstPlatform();
  [production, staging, personal, dev, ci, previewPlan, network] = await Promise.all([
    plan("production", false),
    plan("staging", false),
    plan("alice", false),
    plan("alice", true),
    plan("ci", false, "infra/ci/sst.config.ts"),
    plan("pr-42", false),
    plan("shared", false),
  ]);
}, 600_000);

describe("the jobs queue", () => {
  it("dead-letters after 3 receives, hides messages 300 s, keeps them 4 days and dead letters 14 days", () => {
    const jobs = one(production, "JobsQueue").inputs;
    const dlq = one(production, "JobsDeadLetterQueue").inputs;
    expect(JSON.parse(jobs.redrivePolicy)).toMatchObject({
      maxReceiveCount: 3,
      deadLetterTargetArn: expect.stringContaining("JobsDeadLetterQueue"),
    });
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
    expect(api).not.toContain("ecs:UpdateTaskProtection");
    expect(api.filter((a) => a.endsWith("*"))).toEqual([]);
  });

  it("lets the worker receive, delete, extend and re-send (relay) jobs, and protect its own task", () => {
    const worker = actions(production, "WorkerTaskRole");
    expect(worker).toEqual(
      expect.arrayContaining([
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:SendMessage",
        "ecs:UpdateTaskProtection",
      ]),
    );
    expect(worker.filter((a) => a.endsWith("*"))).toEqual([]);
    const protection = statements(production, "WorkerTaskRole").find((s) =>
      s.Action.includes("ecs:UpdateTaskProtection"),
    )!;
    expect(protection.Resource).toEqual([
      expect.stringMatching(/^arn:aws:ecs:\*:\*:task\/retainwise-production-ClusterCluster-[a-z]+\/\*$/),
    ]);
  });

  it("lets both roles read and write models: trained ones under accounts/<id>/models/, the built-in one under models/", () => {
    for (const role of ["ApiTaskRole", "WorkerTaskRole"]) {
      const writable = statements(production, role)
        .filter((s) => s.Action.includes("s3:PutObject") && s.Action.includes("s3:GetObject"))
        .flatMap((s) => s.Resource);
      for (const prefix of ["accounts/", "models/"])
        expect(writable.some((r) => r.endsWith("/*") || r.endsWith(`/${prefix}*`))).toBe(true);
    }
  });

  it("gives no task any access to the dead-letter queue", () => {
    for (const role of ["ApiTaskRole", "WorkerTaskRole"]) {
      const resources = statements(production, role).flatMap((s) => s.Resource);
      expect(resources.some((r) => r.includes("JobsDeadLetter"))).toBe(false);
      expect(resources.filter((r) => r.includes("JobsQueue"))).not.toEqual([]);
    }
  });

  it("lets each execution role read exactly the secrets its containers get, not every parameter in the account", () => {
    const readable = (role: string) =>
      (
        JSON.parse(one(production, role).inputs.inlinePolicies[0].policy) as { Statement: { Resource: string[] }[] }
      ).Statement.flatMap((s) => s.Resource);
    expect(readable("ApiExecutionRole")).toEqual([
      expect.stringContaining("DownloadSigningKeyParameter"),
      expect.stringContaining("DatabaseRuntimeSecret"),
    ]);
    expect(readable("WorkerExecutionRole")).toEqual([expect.stringContaining("DatabaseRuntimeSecret")]);
    expect(readable("MigrateExecutionRole")).toEqual([
      expect.stringContaining("DatabaseMigratorSecret"),
      expect.stringContaining("DatabaseProxySecret"),
      expect.stringContaining("DatabaseRuntimeSecret"),
    ]);
    for (const role of ["ApiExecutionRole", "WorkerExecutionRole", "MigrateExecutionRole"])
      expect(readable(role)).not.toContain("*");
  });
});

describe("database roles (issue 22)", () => {
  const stages = () =>
    [
      [production, "production"],
      [staging, "staging"],
      [personal, "alice"],
      [previewPlan, "pr-42"],
    ] as const;

  it("let the API and the workers log in as the runtime role, and never hand them, their roles or their task definitions the master password", () => {
    for (const [resources] of stages()) {
      for (const name of ["Api", "Worker"]) {
        const container = containers(resources, `${name}Task`);
        expect(new URL(env(container).DATABASE_URL!).username).toBe("retainwise_app");
        expect(container.secrets.filter((s: { name: string }) => s.name.includes("DATABASE"))).toEqual([
          {
            name: "RETAINWISE_DATABASE_PASSWORD",
            valueFrom: expect.stringMatching(/DatabaseRuntimeSecret.*:password::$/),
          },
        ]);
        // SST's master secret (`DatabaseProxySecret`) and the migration role's are named nowhere a runtime task can reach.
        const reach = JSON.stringify([
          container,
          one(resources, `${name}ExecutionRole`).inputs,
          one(resources, `${name}TaskRole`).inputs,
        ]);
        expect(reach).not.toMatch(/DatabaseProxySecret|DatabaseMigratorSecret|ADMIN/);
      }
    }
  });

  it("run migrations only in the Migrate task, as the migration role, with the master user's login to set up both roles", () => {
    for (const [resources] of stages()) {
      const migrate = containers(resources, "MigrateTask");
      expect(migrate.command).toEqual(["migrate"]);
      expect(env(migrate)).toMatchObject({
        RETAINWISE_DATABASE_ADMIN_USER: one(resources, "DatabaseInstance").inputs.username,
        RETAINWISE_DATABASE_RUNTIME_USER: "retainwise_app",
        RETAINWISE_DATABASE_CA_FILE: "/app/rds-ca.pem",
      });
      expect(new URL(env(migrate).DATABASE_URL!)).toMatchObject({ username: "retainwise_migrator", password: "" });
      expect(Object.keys(env(migrate)).filter((name) => /PASSWORD|BUCKET|QUEUE/.test(name))).toEqual([]);
      expect(migrate.secrets).toEqual([
        {
          name: "RETAINWISE_DATABASE_PASSWORD",
          valueFrom: expect.stringMatching(/DatabaseMigratorSecret.*:password::$/),
        },
        {
          name: "RETAINWISE_DATABASE_ADMIN_PASSWORD",
          valueFrom: expect.stringMatching(/DatabaseProxySecret.*:password::$/),
        },
        {
          name: "RETAINWISE_DATABASE_RUNTIME_PASSWORD",
          valueFrom: expect.stringMatching(/DatabaseRuntimeSecret.*:password::$/),
        },
      ]);
      // Its task role may do nothing in AWS but ECS Exec's channels (no bucket, queue or secret).
      expect(actions(resources, "MigrateTaskRole").filter((a) => !a.startsWith("ssmmessages:"))).toEqual([]);
      for (const name of ["Api", "Worker"])
        expect(containers(resources, `${name}Task`).command).not.toContain("migrate");
      // Both generated passwords: letters and digits, long.
      for (const name of ["DatabaseMigratorPassword", "DatabaseRuntimePassword"])
        expect(one(resources, name).inputs).toMatchObject({ length: 32, special: false });
    }
  });

  it("run the Migrate task to completion before either service rolls, again whenever its task definition (image or settings) changes", () => {
    for (const [resources] of stages()) {
      const run = one(resources, "MigrateBeforeRoll").inputs;
      expect(run.create).toBe("bash scripts/run-ecs-task.sh");
      expect(run.environment).toMatchObject({
        RETAINWISE_TASK_DEFINITION: expect.stringContaining("MigrateTask"),
        RETAINWISE_TASK_CONTAINER: "Migrate",
        RETAINWISE_TASK_PUBLIC_IP: "ENABLED",
      });
      expect(run.environment.RETAINWISE_TASK_SUBNETS).toEqual(
        service(resources, "Api").networkConfiguration.subnets.join(","),
      );
      expect(run.environment.RETAINWISE_TASK_CLUSTER).toBe(service(resources, "Api").cluster);
      expect(run.triggers).toEqual([run.environment.RETAINWISE_TASK_DEFINITION]);
      for (const name of ["Api", "Worker"])
        expect(one(resources, `${name}Service`).options?.dependsOn).toContain("MigrateBeforeRoll");
      expect(containers(resources, "MigrateTask").image).toBe(containers(resources, "ApiTask").image);
    }
  });

  it("under sst dev create no Migrate task (no RDS: retainwise local migrates its own database)", () => {
    expect(ofType(dev, "aws:ecs/taskDefinition:TaskDefinition")).toEqual([]);
    expect(ofType(dev, "command:local:Command")).toEqual([]);
    expect(ofType(dev, "aws:secretsmanager/secret:Secret")).toEqual([]);
  });
});

describe("the containers", () => {
  it("run the api and worker roles of one image, built once", () => {
    const api = containers(production, "ApiTask");
    const worker = containers(production, "WorkerTask");
    expect(api.command).toEqual(["api"]);
    expect(worker.command).toEqual(["worker"]);
    expect(ofType(production, "docker-build:index:Image").map((i) => i.name)).toEqual(["MigrateImageMigrate"]);
    expect(worker.image).toBe(api.image);
    for (const container of [api, worker]) {
      expect(env(container)).toMatchObject({
        RETAINWISE_MODE: "aws",
        RETAINWISE_QUEUE_URL: expect.stringContaining("JobsQueue"),
        RETAINWISE_BUCKET: expect.stringContaining("uploads"),
      });
    }
  });

  it("receive secrets only through SSM and Secrets Manager, never as plain environment values", () => {
    for (const task of ["ApiTask", "WorkerTask"]) {
      const container = containers(production, task);
      const values = env(container);
      expect(
        Object.keys(values).filter((name) => /PASSWORD|SECRET|SST_RESOURCE_(Database|DownloadSigningKey)/.test(name)),
      ).toEqual([]);
      expect(JSON.stringify(values)).not.toContain("plan-signing-key");
      expect(new URL(values.DATABASE_URL!).password).toBe("");
      expect(container.secrets).toContainEqual({
        name: "RETAINWISE_DATABASE_PASSWORD",
        valueFrom: expect.stringMatching(/DatabaseRuntimeSecret.*:password::$/),
      });
    }
    expect(containers(production, "ApiTask").secrets).toContainEqual({
      name: "RETAINWISE_SIGNING_SECRET",
      valueFrom: expect.stringContaining("DownloadSigningKeyParameter"),
    });
    expect(one(production, "DownloadSigningKeyParameter").inputs).toMatchObject({ type: "SecureString" });
  });

  it("connect to the database over TLS verified against the RDS bundle the image carries", () => {
    for (const task of ["ApiTask", "WorkerTask"])
      expect(env(containers(production, task)).RETAINWISE_DATABASE_CA_FILE).toBe("/app/rds-ca.pem");
    expect(one(production, "DatabaseParameterGroup").inputs.parameters).toContainEqual({
      name: "rds.force_ssl",
      value: "1",
    });
  });

  it("drain uploads from the load balancer and give both roles ECS's longest stop timeout, past the worker's deadline", () => {
    const worker = containers(production, "WorkerTask");
    const deadline = Number(env(worker).RETAINWISE_SHUTDOWN_DEADLINE_SECONDS);
    expect(worker.stopTimeout).toBe(120);
    expect(worker.stopTimeout).toBeGreaterThan(deadline);
    // A deploy's old workers release what they still run after 600 s of draining (packages/worker/src/drain-on-new-generation.ts).
    expect(env(worker).RETAINWISE_DRAIN_DEADLINE_SECONDS).toBe("600");
    expect(containers(production, "ApiTask").stopTimeout).toBe(120);
    expect(ofType(production, "aws:lb/targetGroup:TargetGroup")[0]!.inputs.deregistrationDelay).toBeGreaterThanOrEqual(
      300,
    );
  });

  it("keep the connection pools within each stage's max_connections at full scale", () => {
    for (const settings of Object.values(STAGES))
      expect(connectionsAtFullScale(settings)).toBeLessThanOrEqual(MAX_CONNECTIONS[settings.database.instance]);
    expect(env(containers(production, "ApiTask")).RETAINWISE_DATABASE_POOL_SIZE).toBe("10");
    expect(env(containers(production, "WorkerTask")).RETAINWISE_DATABASE_POOL_SIZE).toBe("5");
  });
});

describe("health checks and deploys", () => {
  it("check liveness (/healthz), not the database, and give new tasks a grace period", () => {
    const [group] = ofType(production, "aws:lb/targetGroup:TargetGroup");
    expect(group!.inputs.healthCheck).toMatchObject({ path: "/healthz" });
    expect(service(production, "Api").healthCheckGracePeriodSeconds).toBeGreaterThanOrEqual(
      Number(env(containers(production, "ApiTask")).RETAINWISE_DATABASE_WAIT_SECONDS),
    );
  });

  it("wait for ECS to report the services stable on shared stages, and keep a scaled-out count across deploys", () => {
    for (const name of ["Api", "Worker"] as const) {
      expect(service(production, name).waitForSteadyState).toBe(true);
      expect(service(staging, name).waitForSteadyState).toBe(true);
      expect(one(production, `${name}Service`).options?.ignoreChanges).toContain("desiredCount");
    }
    expect(service(personal, "Api").waitForSteadyState).toBe(false);
  });
});

describe("production's rollback (.github/workflows/deploy.yml)", () => {
  it("finds production's cluster and services by the names this plan gives them", () => {
    // The workflow records the task definitions before the deploy and points the services back at them:
    // a name it does not find is a rollback that silently has nothing to roll back to.
    const steps = (parse(readFileSync(join(ROOT, ".github/workflows/deploy.yml"), "utf8")) as any).jobs.production
      .steps as {
      name: string;
      run?: string;
    }[];
    const record = steps.find((step) => step.name === "Record what production runs now")!.run!;
    const rollback = steps.find((step) => step.name === "Roll back to the previous image")!.run!;
    const clusterPattern = record.match(/contains\(@, '([^']+)'\)/)![1]!;
    const [cluster] = ofType(production, "aws:ecs/cluster:Cluster");
    expect(cluster!.inputs.name.startsWith(clusterPattern)).toBe(true);
    expect(ofType(production, "aws:ecs/cluster:Cluster")).toHaveLength(1);
    expect(record).toContain("for service in Api Worker;");
    for (const name of ["Api", "Worker"] as const) {
      expect(service(production, name).name).toBe(name);
      expect(rollback).toContain(`--service ${name} --task-definition`);
    }
  });
});

describe("IAM's size quotas, for every role and policy of every stage (counted as IAM counts)", () => {
  it("keep each trust policy, each role's inline policies together, its managed policies' count and each managed policy within the default quotas", () => {
    for (const [stage, resources] of Object.entries({ production, staging, personal, dev, previewPlan, network, ci })) {
      for (const role of ofType(resources, "aws:iam/role:Role")) {
        const inline = (role.inputs.inlinePolicies ?? []).filter((p: { policy?: string }) => p.policy);
        expect({
          stage,
          role: role.name,
          trust: iamPolicySize(role.inputs.assumeRolePolicy) <= IAM_LIMITS.trustPolicyCharacters,
          inline:
            inline.reduce((sum: number, p: { policy: string }) => sum + iamPolicySize(p.policy), 0) <=
            IAM_LIMITS.roleInlineCharacters,
          managed: (role.inputs.managedPolicyArns ?? []).length <= IAM_LIMITS.managedPoliciesPerRole,
        }).toEqual({ stage, role: role.name, trust: true, inline: true, managed: true });
      }
      for (const policy of ofType(resources, "aws:iam/policy:Policy"))
        expect({ stage, policy: policy.name, size: iamPolicySize(policy.inputs.policy) }).toEqual({
          stage,
          policy: policy.name,
          size: expect.toSatisfy((size: number) => size <= IAM_LIMITS.managedPolicyCharacters),
        });
      for (const policy of ofType(resources, "aws:iam/rolePolicy:RolePolicy"))
        expect(iamPolicySize(policy.inputs.policy)).toBeLessThanOrEqual(IAM_LIMITS.roleInlineCharacters);
    }
  });
});

describe("the database", () => {
  it("grows from 20 GB up to the stage's maximum", () => {
    expect(one(production, "DatabaseInstance").inputs).toMatchObject({
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
    });
  });

  it("is never replaced in production: every input that forces a new RDS instance is pinned (a change here needs a migration plan, docs/DEPLOY.md)", () => {
    // The AWS provider replaces the instance (a new, empty database; the old one kept only as its
    // final snapshot) when any of these changes. SST's random name suffix is kept in state, so only its shape is pinned.
    const FORCES_REPLACEMENT = [
      "engine",
      "dbName",
      "username",
      "storageEncrypted",
      "kmsKeyId",
      "availabilityZone",
      "characterSetName",
      "ncharCharacterSetName",
      "timezone",
      "snapshotIdentifier",
      "replicateSourceDb",
      "restoreToPointInTime",
      "s3Import",
      "customIamInstanceProfile",
    ];
    const instance = one(production, "DatabaseInstance").inputs;
    expect(Object.fromEntries(FORCES_REPLACEMENT.map((key) => [key, instance[key]]))).toEqual({
      ...Object.fromEntries(FORCES_REPLACEMENT.map((key) => [key, undefined])),
      engine: "postgres",
      dbName: "retainwise",
      username: "postgres",
      storageEncrypted: true,
    });
    expect(instance.identifier).toMatch(/^retainwise-production-databaseinstance-[a-z]{8}$/);
    // Its URN too: a new parent (wrapping it in a component, SST changing Postgres's type) or name makes
    // Pulumi create a new instance and drop the old one, a replacement by another road, unless aliased.
    expect(one(production, "DatabaseInstance").options).toMatchObject({
      urnType: "sst:aws:Postgres$aws:rds/instance:Instance",
      aliases: 0,
    });
    // Its subnets are production's own VPC's: moving it to another VPC (e.g. the shared one) replaces it.
    expect(one(production, "DatabaseSubnetGroup").inputs.subnetIds).toEqual([
      "VpcPrivateSubnet1-id",
      "VpcPrivateSubnet2-id",
    ]);
    expect(reads(production, "aws:ec2/vpc:Vpc")).toEqual([]);
  });

  it("is snapshotted and protected from deletion in production only", () => {
    expect(one(production, "DatabaseInstance").inputs).toMatchObject({
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "retainwise-production-final",
    });
    expect(one(personal, "DatabaseInstance").inputs).toMatchObject({ skipFinalSnapshot: true });
    expect(one(personal, "DatabaseInstance").inputs.deletionProtection).toBeUndefined();
  });
});

describe("the bucket", () => {
  it("blocks all public access, encrypts every object at rest and allows no cross-origin requests", () => {
    const [block] = ofType(production, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(block!.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const sse = one(production, "UploadsEncryption");
    expect(sse!.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe("AES256");
    expect(ofType(production, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")).toEqual([]);
  });
});

describe("scaling", () => {
  it("tracks (visible + in-flight jobs) per running worker task, with no absolute jump", () => {
    const policy = one(production, "WorkerScaleOnBacklogPerTask").inputs;
    expect(policy.policyType).toBe("TargetTrackingScaling");
    const config = policy.targetTrackingScalingPolicyConfiguration;
    expect(config.targetValue).toBe(2);
    const metrics = config.customizedMetricSpecification.metrics as {
      id: string;
      expression?: string;
      returnData: boolean;
      metricStat?: { metric: { metricName: string } };
    }[];
    expect(metrics.filter((m) => m.metricStat).map((m) => m.metricStat!.metric.metricName)).toEqual([
      "ApproximateNumberOfMessagesVisible",
      "ApproximateNumberOfMessagesNotVisible",
      "RunningTaskCount",
    ]);
    expect(metrics.find((m) => m.returnData)!.expression).toMatch(
      /\(FILL\(visible, 0\) \+ FILL\(inflight, 0\)\) \/ IF\(FILL\(tasks, 0\) < 1, 1, FILL\(tasks, 0\)\)/,
    );
    expect(one(production, "ClusterCluster").inputs.settings).toContainEqual({
      name: "containerInsights",
      value: "enabled",
    });
    expect(
      ofType(production, "aws:appautoscaling/policy:Policy").some(
        (p) => p.inputs.stepScalingPolicyConfiguration?.adjustmentType === "ExactCapacity",
      ),
    ).toBe(false);
  });

  it("starts the first worker by one task (ChangeInCapacity) when jobs wait and none runs", () => {
    const start = one(production, "WorkerStartFromZero").inputs.stepScalingPolicyConfiguration;
    expect(start).toMatchObject({
      adjustmentType: "ChangeInCapacity",
      stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
    });
    const alarm = one(production, "WorkerJobsWaitWithNoWorker").inputs;
    expect(alarm.alarmActions[0]).toContain("WorkerStartFromZero");
    expect(alarm.metricQueries.find((q: { returnData?: boolean }) => q.returnData).expression).toBe(
      "IF(FILL(tasks, 0) < 1, (FILL(visible, 0) + FILL(inflight, 0)), 0)",
    );
  });

  it("runs non-production workers on Fargate Spot and production's on regular Fargate", () => {
    const spotOnly = [
      { capacityProvider: "FARGATE", weight: 0 },
      { capacityProvider: "FARGATE_SPOT", weight: 1 },
    ];
    expect(service(personal, "Worker").capacityProviderStrategies).toEqual(spotOnly);
    expect(service(staging, "Worker").capacityProviderStrategies).toEqual(spotOnly);
    expect(service(production, "Worker").launchType).toBe("FARGATE");
  });
});

describe("alarms", () => {
  it("alarm when the dead-letter queue is not empty and when a job waits over 30 minutes, and notify the stage's address", () => {
    const dlq = one(production, "JobsDeadLetterNotEmpty").inputs;
    expect(dlq).toMatchObject({
      threshold: 0,
      dimensions: { QueueName: expect.stringContaining("JobsDeadLetterQueue") },
    });
    const backlog = one(production, "JobsOldestMessageTooOld").inputs;
    expect(backlog).toMatchObject({ metricName: "ApproximateAgeOfOldestMessage", threshold: 1800 });
    for (const alarm of [dlq, backlog]) expect(alarm.alarmActions).toEqual([expect.stringContaining(":Alarms")]);
    expect(one(production, "AlarmsEmail").inputs).toMatchObject({
      protocol: "email",
      endpoint: STAGES.production.alarmEmail,
      topic: expect.stringContaining(":Alarms"),
    });
    expect(ofType(personal, "aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
  });
});

describe("alarms and logs (issue 22)", () => {
  it("alarm on the load balancer's and the API's 5xx, unhealthy API targets, API tasks below the minimum, and the database's CPU, storage and connections", () => {
    for (const resources of [production, staging, personal]) {
      const alarm = (name: string) => one(resources, name).inputs;
      expect(alarm("ApiLoadBalancer5xx")).toMatchObject({
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_ELB_5XX_Count",
        dimensions: { LoadBalancer: expect.stringMatching(/^app\/ApiLoadBalancer/) },
      });
      expect(alarm("ApiTarget5xx")).toMatchObject({
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: { LoadBalancer: expect.stringMatching(/^app\//) },
      });
      expect(alarm("ApiTasksBelowMinimum")).toMatchObject({
        metricName: "RunningTaskCount",
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
      });
      // Unhealthy hosts: per target group only, so a Metrics Insights query over this load balancer's.
      const lb = alarm("ApiLoadBalancer5xx").dimensions.LoadBalancer;
      expect(alarm("ApiUnhealthyHosts")).toMatchObject({
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
      expect(alarm("ApiUnhealthyHosts").metricQueries).toEqual([
        expect.objectContaining({
          returnData: true,
          period: 60,
          expression: `SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${lb}'`,
        }),
      ]);
      expect(alarm("DatabaseCpuHigh")).toMatchObject({
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        threshold: 80,
        dimensions: { DBInstanceIdentifier: one(resources, "DatabaseInstance").inputs.identifier },
      });
      expect(alarm("DatabaseStorageLow")).toMatchObject({
        metricName: "FreeStorageSpace",
        comparisonOperator: "LessThanThreshold",
        threshold: 2 * 1024 ** 3,
      });
      for (const name of [
        "ApiLoadBalancer5xx",
        "ApiTarget5xx",
        "ApiUnhealthyHosts",
        "ApiTasksBelowMinimum",
        "DatabaseCpuHigh",
        "DatabaseStorageLow",
        "DatabaseConnectionsHigh",
      ])
        expect(alarm(name).alarmActions).toEqual([expect.stringContaining(":Alarms")]);
    }
    expect(one(production, "ApiTasksBelowMinimum").inputs.threshold).toBe(STAGES.production.api.min);
    expect(one(production, "DatabaseConnectionsHigh").inputs.threshold).toBe(
      Math.floor(MAX_CONNECTIONS["t4g.small"] * 0.8),
    );
    expect(ofType(dev, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name)).not.toContain("DatabaseCpuHigh");
  });

  it("send a failed (rolled back) ECS deployment of either service to the alarm topic, which EventBridge and CloudWatch may publish to", () => {
    const pattern = JSON.parse(one(production, "EcsDeploymentFailed").inputs.eventPattern);
    expect(pattern).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Deployment State Change"],
      resources: ["ApiService-id", "WorkerService-id"],
      detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
    });
    expect(one(production, "EcsDeploymentFailedToAlarms").inputs.arn).toContain(":Alarms");
    const policy = JSON.parse(one(production, "AlarmsFromEventBridge").inputs.policy);
    expect(policy.Statement.map((s: { Principal: unknown }) => s.Principal)).toEqual([
      { AWS: "*" },
      { Service: "cloudwatch.amazonaws.com" },
      { Service: "events.amazonaws.com" },
    ]);
  });

  it("write the load balancer's access logs to a private, encrypted log bucket that expires them, once its policy admits ELB", () => {
    for (const [resources, days] of [
      [production, 90],
      [staging, 30],
      [personal, 7],
    ] as const) {
      const lb = one(resources, "ApiLoadBalancer");
      expect(lb.inputs.accessLogs).toEqual({ enabled: true, prefix: "alb", bucket: expect.stringMatching(/-logs-/) });
      expect(one(resources, "AccessLogsExpiry").inputs.rules).toEqual([
        expect.objectContaining({ status: "Enabled", expiration: { days } }),
      ]);
      expect(one(resources, "AccessLogsPublicAccessBlock").inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(
        one(resources, "AccessLogsEncryption").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
      ).toBe("AES256");
      const statements = JSON.parse(one(resources, "AccessLogsPolicy").inputs.policy).Statement;
      expect(statements.find((s: { Sid: string }) => s.Sid === "LoadBalancerWrites")).toMatchObject({
        Principal: { AWS: "arn:aws:iam::127311923021:root" },
        Action: "s3:PutObject",
        Resource: expect.stringMatching(/\/alb\/AWSLogs\/123456789012\/\*$/),
      });
    }
    expect(ofType(dev, "aws:s3/bucket:Bucket").map((b) => b.name)).not.toContain("AccessLogs");
  });

  it("puts AWS's Common and Known Bad Inputs rule groups on production's WAF (uploads exempt from the 8 KB body rule) and logs it with retention", () => {
    const rules = one(production, "ApiRateLimit").inputs.rules as {
      name: string;
      priority: number;
      overrideAction?: unknown;
      statement: {
        managedRuleGroupStatement?: { name: string; ruleActionOverrides: { name: string; actionToUse: unknown }[] };
      };
    }[];
    expect(rules.map((r) => r.name)).toEqual([
      "per-address",
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
    ]);
    expect(new Set(rules.map((r) => r.priority)).size).toBe(3);
    const common = rules[1]!;
    expect(common.overrideAction).toEqual({ none: {} });
    expect(common.statement.managedRuleGroupStatement!.ruleActionOverrides).toEqual([
      { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
    ]);
    expect(one(production, "WafLogs").inputs).toEqual({
      name: "aws-waf-logs-retainwise-production",
      retentionInDays: 90,
    });
    const logging = one(production, "ApiWafLogging").inputs;
    expect(logging.logDestinationConfigs).toEqual([expect.stringContaining("WafLogs")]);
    expect(logging.redactedFields).toContainEqual({ singleHeader: { name: "authorization" } });
  });
});

describe("stages", () => {
  it("keep production redundant and always on, and let personal stages scale workers to zero", () => {
    const target = (resources: PlannedResource[]) =>
      ofType(resources, "aws:appautoscaling/target:Target").find((t) =>
        /\/(retainwise-[\w-]+-)?Worker$/.test(String(t.inputs.resourceId)),
      )!.inputs;
    expect(target(production).minCapacity).toBeGreaterThan(0);
    expect(target(personal).minCapacity).toBe(0);
    expect(ofType(production, "aws:rds/instance:Instance")[0]!.inputs.multiAz).toBe(true);
    expect(ofType(personal, "aws:rds/instance:Instance")[0]!.inputs.multiAz).toBe(false);
  });

  it("expire uploads and results after the stage's retention", () => {
    const rules = (resources: PlannedResource[]) => one(resources, "UploadsExpiry").inputs.rules;
    // Never accounts/ (trained models and their training files) nor models/ (the built-in model).
    expect(rules(production).map((r: { filter: { prefix: string } }) => r.filter.prefix)).toEqual([
      "inputs/",
      "results/",
    ]);
    expect(rules(production)[0].expiration.days).toBeGreaterThan(rules(personal)[0].expiration.days);
  });

  it("under sst dev create no database instance and no ECS service, and hand the local processes the local database", () => {
    expect(ofType(dev, "aws:rds/instance:Instance")).toEqual([]);
    expect(ofType(dev, "aws:ecs/service:Service")).toEqual([]);
    expect(ofType(personal, "aws:ecs/service:Service")).toHaveLength(2);
    const commands = ofType(dev, "sst:sst:DevCommand");
    const api = commands.find((c) => c.name === "ApiDev")!;
    expect(api.inputs.environment).toMatchObject({
      DATABASE_URL: "postgres://postgres:dev-password@127.0.0.1:5432/retainwise",
      RETAINWISE_SIGNING_SECRET: "plan-signing-key",
    });
    expect(api.inputs.dev).toMatchObject({ url: "http://localhost:3000" });
  });

  it("refuse sst dev on production (and every shared stage), which it would strip of its database and services", async () => {
    await expect(plan("production", true)).rejects.toThrow(/sst dev refuses the shared stage "production"/);
  }, 540_000);
});

describe("the shared network (stage `shared`)", () => {
  const VPC = "aws:ec2/vpc:Vpc";
  const CLUSTER = "aws:ecs/cluster:Cluster";

  it("holds the one VPC and the fixed-name cluster (Container Insights on), and nothing else", () => {
    expect(ofType(network, VPC)).toHaveLength(1);
    expect(one(network, "ClusterCluster").inputs).toMatchObject({
      name: "retainwise-shared",
      settings: [{ name: "containerInsights", value: "enabled" }],
    });
    for (const type of [
      "aws:rds/instance:Instance",
      "aws:ecs/service:Service",
      "aws:iam/role:Role",
      "aws:s3/bucket:Bucket",
      "aws:lb/loadBalancer:LoadBalancer",
    ])
      expect(ofType(network, type)).toEqual([]);
    expect(reads(network, VPC)).toEqual([]);
  });

  it("is where every personal, preview and sst dev stage runs: they create no VPC and no cluster, and read the shared ones by tag and name", () => {
    for (const resources of [previewPlan, personal, dev]) {
      expect(ofType(resources, VPC)).toEqual([]);
      expect(ofType(resources, "aws:ec2/subnet:Subnet")).toEqual([]);
      expect(ofType(resources, CLUSTER)).toEqual([]);
      const lookup = resources.filter((r) => r.type === "invoke" && r.name === "aws:ec2/getVpc:getVpc");
      expect(lookup.map((r) => r.inputs.tags)).toEqual([{ "sst:app": "retainwise", "sst:stage": "shared" }]);
      expect(reads(resources, VPC).map((r) => r.id)).toEqual(["vpc-shared"]);
      expect(reads(resources, CLUSTER).map((r) => r.id)).toEqual([
        "arn:aws:ecs:us-east-1:123456789012:cluster/retainwise-shared",
      ]);
    }
    for (const name of ["Api", "Worker"] as const) {
      expect(service(previewPlan, name)).toMatchObject({
        name: `retainwise-pr-42-${name}`,
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/retainwise-shared",
      });
      expect(service(previewPlan, name).networkConfiguration.subnets).toEqual([
        "public-subnet-shared-1",
        "public-subnet-shared-2",
      ]);
    }
    expect(one(previewPlan, "DatabaseSubnetGroup").inputs.subnetIds).toEqual([
      "private-subnet-shared-1",
      "private-subnet-shared-2",
    ]);
    const protection = statements(previewPlan, "WorkerTaskRole").find((s) =>
      s.Action.includes("ecs:UpdateTaskProtection"),
    )!;
    expect(protection.Resource).toEqual(["arn:aws:ecs:*:*:task/retainwise-shared/*"]);
    const alarm = one(previewPlan, "WorkerJobsWaitWithNoWorker").inputs.metricQueries.find(
      (q: { id: string }) => q.id === "tasks",
    );
    expect(alarm.metric.dimensions).toEqual({
      ClusterName: "retainwise-shared",
      ServiceName: "retainwise-pr-42-Worker",
    });
  });

  it("leaves production and staging on their own VPC and cluster, services still named Api and Worker", () => {
    for (const resources of [production, staging]) {
      expect(ofType(resources, VPC)).toHaveLength(1);
      expect(ofType(resources, CLUSTER)).toHaveLength(1);
      expect(reads(resources, VPC)).toEqual([]);
      expect(service(resources, "Api").name).toBe("Api");
      expect(service(resources, "Worker").name).toBe("Worker");
    }
  });

  it("refuses sst dev, which would strip every stage in it of its network", async () => {
    await expect(plan("shared", true)).rejects.toThrow(/sst dev refuses the shared stage "shared"/);
  }, 540_000);
});

describe("HTTPS", () => {
  it("serves shared stages on 443 with their domain's certificate and HSTS, and redirects 80 to 443", () => {
    for (const resources of [production, staging]) {
      const listeners = ofType(resources, "aws:lb/listener:Listener").map((l) => l.inputs);
      expect(listeners).toHaveLength(2);
      const https = listeners.find((l) => l.port === 443)!;
      expect(https).toMatchObject({
        protocol: "HTTPS",
        certificateArn: expect.stringContaining("ApiSsl"),
        routingHttpResponseStrictTransportSecurityHeaderValue: expect.stringMatching(/^max-age=31536000/),
      });
      // TLS 1.2 and 1.3 only: unset, AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0 and 1.1 too).
      expect(https.sslPolicy).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
      expect(https.defaultActions[0].type).toBe("forward");
      expect(listeners.find((l) => l.port === 80)!.defaultActions).toEqual([
        { type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } },
      ]);
    }
  });

  it("serves no stage's API over plain HTTP: without a domain, CloudFront redirects to HTTPS and the load balancer admits only CloudFront", () => {
    for (const resources of [production, staging, personal]) {
      const forwardsHttp = ofType(resources, "aws:lb/listener:Listener").filter(
        (l) => l.inputs.protocol === "HTTP" && l.inputs.defaultActions[0].type === "forward",
      );
      const cdn = ofType(resources, "aws:cloudfront/distribution:Distribution");
      if (forwardsHttp.length === 0) continue;
      expect(cdn).toHaveLength(1);
      expect(cdn[0]!.inputs.defaultCacheBehavior).toMatchObject({
        viewerProtocolPolicy: "redirect-to-https",
        responseHeadersPolicyId: "67f7725c-6f97-4210-82d7-5512b31e9d03",
      });
      expect(cdn[0]!.inputs.defaultCacheBehavior.allowedMethods).toContain("POST");
      expect(one(resources, "ApiLoadBalancerSecurityGroup").inputs.ingress).toEqual([
        { fromPort: 80, toPort: 80, protocol: "tcp", prefixListIds: ["pl-cloudfront"] },
      ]);
    }
    expect(ofType(personal, "aws:cloudfront/distribution:Distribution")).toHaveLength(1);
    // CloudFront's default certificate takes only the TLSv1 policy (AWS applies it whatever is asked;
    // asking for more only shows as a change on every deploy): TLS 1.2+ is the domain's load balancer's,
    // and every stage customers use (shared, required to have a domain) is served by it.
    expect(ofType(personal, "aws:cloudfront/distribution:Distribution")[0]!.inputs.viewerCertificate).toEqual({
      cloudfrontDefaultCertificate: true,
      minimumProtocolVersion: "TLSv1",
    });
    for (const resources of [production, staging])
      expect(ofType(resources, "aws:cloudfront/distribution:Distribution")).toEqual([]);
    for (const settings of Object.values(STAGES).filter((s) => s.sharedStage)) expect(settings.domain).toMatch(/\./);
  });
});

describe("the cluster-wide rate limit", () => {
  it("puts a WAF rate-based rule per address on production's load balancer, and none on personal stages", () => {
    const [rule] = one(production, "ApiRateLimit").inputs.rules;
    expect(rule).toMatchObject({
      action: { block: {} },
      statement: { rateBasedStatement: { limit: STAGES.production.rateLimitPer5Minutes, aggregateKeyType: "IP" } },
    });
    expect(one(production, "ApiRateLimitAssociation").inputs.resourceArn).toContain("ApiLoadBalancer");
    expect(ofType(personal, "aws:wafv2/webAcl:WebAcl")).toEqual([]);
  });
});

describe("the CI deploy roles (infra/ci)", () => {
  const documents = ciPolicies({
    account: "123456789012",
    repository: "retainwise/retainwise",
    oidcProviderArn: "arn:aws:mock:us-east-1:123456789012:GithubOidc",
  });

  it("deploys one role per GitHub environment with exactly the documents infra/ci/policies.ts builds, and no access keys", () => {
    expect(one(ci, "GithubOidc").inputs).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    for (const [environment, name] of [
      ["preview", "GithubDeployPreview"],
      ["staging", "GithubDeployStaging"],
      ["production", "GithubDeployProduction"],
    ] as const) {
      const role = one(ci, name).inputs;
      const expected = documents.roles[environment];
      expect(role).toMatchObject({ name: `retainwise-ci-deploy-${environment}`, path: "/retainwise-ci/" });
      expect(JSON.parse(role.assumeRolePolicy)).toEqual(expected.trust);
      // Its statements only in its own managed policies: no inline policy left (one empty block removes them all).
      expect(role.inlinePolicies).toEqual([{}]);
      const own = ofType(ci, "aws:iam/policy:Policy").filter((p) => p.inputs.name.startsWith(`${expected.name}-`));
      expect(
        own.map((p) => ({ name: p.inputs.name, path: p.inputs.path, document: JSON.parse(p.inputs.policy) })),
      ).toEqual(expected.policies.map((p) => ({ name: p.name, path: CI_PATH, document: p.document })));
      expect(role.managedPolicyArns).toEqual([
        ...expected.awsManaged,
        ...own.map((p) => `arn:aws:mock:us-east-1:123456789012:${p.name}`),
      ]);
    }
    expect(ofType(ci, "aws:iam/role:Role")).toHaveLength(3);
    expect(ofType(ci, "aws:iam/accessKey:AccessKey")).toEqual([]);
    const boundary = one(ci, "AppRoleBoundary").inputs;
    expect({ name: boundary.name, path: boundary.path }).toEqual({
      name: BOUNDARY_POLICY_NAME,
      path: "/retainwise-ci/",
    });
    expect(JSON.parse(boundary.policy)).toEqual(documents.boundary);
  });

  it("sets the repository's OIDC subject template (infra/ci/oidc-subject.mjs) to the claim keys the trust policies match, before any role trusts them", () => {
    const command = one(ci, "GithubOidcSubject");
    expect(command.inputs).toMatchObject({
      create: "node oidc-subject.mjs",
      update: "node oidc-subject.mjs",
      dir: join(ROOT, "infra", "ci"),
      environment: {
        GITHUB_REPOSITORY: "retainwise/retainwise",
        OIDC_SUBJECT_CLAIM_KEYS: JSON.stringify(OIDC_SUBJECT_CLAIM_KEYS),
      },
    });
    expect(existsSync(join(command.inputs.dir, "oidc-subject.mjs"))).toBe(true);
    // A change of repository or keys runs it again.
    expect(command.inputs.triggers).toEqual(["retainwise/retainwise", ...OIDC_SUBJECT_CLAIM_KEYS]);
    for (const role of ofType(ci, "aws:iam/role:Role"))
      expect({ role: role.name, dependsOn: role.options?.dependsOn }).toEqual({
        role: role.name,
        dependsOn: ["GithubOidcSubject"],
      });
  });

  it("puts the boundary on every role every stage creates, and the roles' own actions fit inside it, on their own stage's resources", () => {
    for (const [resources, stage] of [
      [production, "production"],
      [staging, "staging"],
      [personal, "alice"],
      [dev, "alice"],
      [previewPlan, "pr-42"],
    ] as const) {
      // What the roles' statements name, as AWS would see it (the mocks' ARNs are not real ones).
      const real = (action: string) =>
        action.startsWith("sqs:")
          ? `arn:aws:sqs:us-east-1:123456789012:${one(resources, "JobsQueue").inputs.name}`
          : action.startsWith("s3:")
            ? `arn:aws:s3:::${one(resources, "UploadsBucket").inputs.bucket}/inputs/x.csv`
            : action.startsWith("ssm:")
              ? `arn:aws:ssm:us-east-1:123456789012:parameter/sst/retainwise/${stage}/DownloadSigningKey`
              : "*";
      for (const role of ofType(resources, "aws:iam/role:Role")) {
        expect({ role: role.name, boundary: role.inputs.permissionsBoundary }).toEqual({
          role: role.name,
          boundary: boundaryArn("123456789012"),
        });
        for (const action of (role.inputs.inlinePolicies ?? []).flatMap((p: { policy: string }) =>
          (JSON.parse(p.policy).Statement as { Action: string[] }[]).flatMap((s) => s.Action),
        )) {
          const request = {
            action,
            resource: real(action),
            context: { "aws:PrincipalTag/sst:stage": stage, "aws:ResourceTag/sst:stage": stage },
          };
          expect({ role: role.name, action, allowed: isAllowed(documents.boundary.Statement, request) }).toEqual({
            role: role.name,
            action,
            allowed: true,
          });
        }
      }
    }
  });

  it("names what each stage creates so the deploy role's name patterns cover it (roles, buckets, queues, parameters)", () => {
    const preview = previewPlan;
    for (const [resources, environment] of [
      [production, "production"],
      [staging, "staging"],
      [preview, "preview"],
    ] as const) {
      const prefix = namePrefix(environment);
      for (const role of ofType(resources, "aws:iam/role:Role"))
        expect(role.inputs.name).toMatch(new RegExp(`^${prefix}`));
      for (const queue of ofType(resources, "aws:sqs/queue:Queue"))
        expect(queue.inputs.name).toMatch(new RegExp(`^${prefix}`));
      for (const bucket of ofType(resources, "aws:s3/bucket:Bucket"))
        expect(bucket.inputs.bucket ?? bucket.inputs.bucketPrefix).toMatch(new RegExp(`^${prefix}`));
    }
    expect(one(preview, "DownloadSigningKeyParameter").inputs.name).toBe("/sst/retainwise/pr-42/DownloadSigningKey");
  });
});
