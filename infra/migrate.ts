// SST ships @pulumi/command (its site builder runs commands with it) but makes only `aws` a global.
// Imported when run() gets here, not with the file: `sst install` evaluates the config before it
// has installed the platform's packages.
const { local } = await import("@pulumi/command");
import { migrateEnvironment, migrateSecrets } from "./access";
import { cluster } from "./cluster";

/** Every role's image (Dockerfile), built once: here, so the migration can run before anything uses it. */
const BUILD = { context: ".", dockerfile: "Dockerfile" };
const CONTAINER = "Migrate";

/**
 * The one-off migration of a deploy (docs/DEPLOY.md, "Database roles"): `retainwise migrate` as the
 * migration role, after creating or updating both roles as the master user. The API and workers log
 * in as the runtime role, which cannot change the schema, so this is the only place migrations run.
 * Only this task's execution role may read the master password (infra/access.ts). Not under
 * `sst dev`, which has no RDS (`retainwise local` migrates its own database).
 */
export const migrateTask = $dev
  ? undefined
  : new sst.aws.Task(CONTAINER, {
      cluster,
      image: BUILD,
      command: ["migrate"],
      cpu: "0.25 vCPU",
      memory: "0.5 GB",
      environment: migrateEnvironment,
      ssm: migrateSecrets.ssm,
      transform: { executionRole: migrateSecrets.executionRole },
    });

/** What the API and worker run: the digest this task definition pins (or, under `sst dev`, nothing is built). */
export const image = migrateTask
  ? migrateTask.nodes.taskDefinition.containerDefinitions.apply(
      (defs) => (JSON.parse(defs) as { image: string }[])[0]!.image,
    )
  : BUILD;

/**
 * How scripts/run-ecs-task.sh finds and places the task (its RETAINWISE_TASK_* settings). Also a
 * stage output (`migrateTask`), from which scripts/first-deploy.sh runs the same task to store the
 * smoke-test key.
 */
export const migrateTaskSettings = migrateTask
  ? {
      AWS_REGION: aws.getRegionOutput({}).name,
      RETAINWISE_TASK_CLUSTER: cluster.nodes.cluster.arn,
      RETAINWISE_TASK_DEFINITION: migrateTask.taskDefinition,
      RETAINWISE_TASK_CONTAINER: CONTAINER,
      RETAINWISE_TASK_SUBNETS: migrateTask.subnets.apply((ids) => $util.all(ids)).apply((ids) => ids.join(",")),
      RETAINWISE_TASK_SECURITY_GROUPS: migrateTask.securityGroups
        .apply((ids) => $util.all(ids))
        .apply((ids) => ids.join(",")),
      RETAINWISE_TASK_PUBLIC_IP: migrateTask.assignPublicIp.apply((on) => (on ? "ENABLED" : "DISABLED")),
    }
  : undefined;

/**
 * Runs the task to completion whenever its task definition changes (a new image: new code, maybe
 * new migrations; or new settings), and fails the deploy if it exits non-zero. Both services depend
 * on it (infra/ecs.ts: `afterMigration`), so no task of a new version starts on an old schema.
 * The deployer's AWS CLI does the running.
 */
export const migration = migrateTask
  ? new local.Command("MigrateBeforeRoll", {
      create: "bash scripts/run-ecs-task.sh",
      dir: $cli.paths.root,
      environment: migrateTaskSettings,
      triggers: [migrateTask.taskDefinition],
    })
  : undefined;
