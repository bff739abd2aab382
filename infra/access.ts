import { cluster } from "./cluster";
import { databaseEnvironment, databaseLogins, MIGRATION_ROLE, RUNTIME_ROLE } from "./database";
import { bucket } from "./storage";
import { deadLetters, jobs } from "./queue";
import { downloadSigningKey, downloadSigningKeyParameter } from "./secrets";

/**
 * Least privilege, written out. A `link` would grant `sqs:*` / `s3:*` and put linked values
 * (database password, secrets) into the task definition as plain environment variables, so nothing
 * is linked: names arrive as env vars, secrets through the task definition's `secrets` (SSM /
 * Secrets Manager, resolved by ECS at start), and each role gets exactly these actions.
 * Nobody gets any action on the dead-letter queue: only an operator's redrive touches it.
 */
const objects = $interpolate`${bucket.arn}/*`;

export const apiPermissions = [
  { actions: ["sqs:SendMessage", "sqs:GetQueueAttributes"], resources: [jobs.arn] },
  { actions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], resources: [objects] },
  // HeadBucket (readiness check) is authorised by s3:ListBucket on the bucket itself.
  { actions: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], resources: [bucket.arn] },
];

export const workerPermissions = [
  // SendMessage: the outbox relay re-sends a job whose API-side send failed.
  {
    actions: [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:SendMessage",
    ],
    resources: [jobs.arn],
  },
  { actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], resources: [objects] },
  { actions: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], resources: [bucket.arn] },
  // Scale-in protection while a job is held; the ECS agent calls these with the task role.
  {
    actions: ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"],
    resources: [$interpolate`arn:aws:ecs:*:*:task/${cluster.nodes.cluster.name}/*`],
  },
];

/**
 * What the API and the worker read from the environment (packages/cli/src/config.ts); no secret
 * among them. Both log in as the runtime role: rows only, no DDL (docs/DEPLOY.md, "Database roles").
 */
export const environment = {
  RETAINWISE_MODE: "aws",
  RETAINWISE_BUCKET: bucket.name,
  RETAINWISE_QUEUE_URL: jobs.url,
  ...databaseEnvironment(RUNTIME_ROLE),
};

/**
 * The Migrate task's (infra/migrate.ts): `retainwise migrate` logs in as the migration role and,
 * as the master user, creates or updates both roles first. Only this task may read the master
 * password; it needs neither the bucket nor the queue.
 */
export const migrateEnvironment = {
  ...databaseEnvironment(MIGRATION_ROLE),
  ...(databaseLogins
    ? { RETAINWISE_DATABASE_ADMIN_USER: databaseLogins.master.user, RETAINWISE_DATABASE_RUNTIME_USER: RUNTIME_ROLE }
    : {}),
};

type Login = keyof NonNullable<typeof databaseLogins>;

/**
 * Secrets, by env var: deployed, ECS resolves these ARNs at task start and the execution role may
 * read exactly them (`executionRole`); under `sst dev` the local processes get the values.
 */
export const apiSecrets = secretsFor({ signingKey: true, passwords: { RETAINWISE_DATABASE_PASSWORD: "runtime" } });
export const workerSecrets = secretsFor({ signingKey: false, passwords: { RETAINWISE_DATABASE_PASSWORD: "runtime" } });
export const migrateSecrets = secretsFor({
  signingKey: false,
  passwords: {
    RETAINWISE_DATABASE_PASSWORD: "migrator",
    RETAINWISE_DATABASE_ADMIN_PASSWORD: "master",
    RETAINWISE_DATABASE_RUNTIME_PASSWORD: "runtime",
  },
});

interface RoleSecrets {
  ssm?: Record<string, $util.Input<string>>;
  devEnvironment: Record<string, $util.Input<string>>;
  /** The `executionRole` transform: SST's execution role may read every parameter and secret in the account. */
  executionRole(args: aws.iam.RoleArgs): undefined;
}

function secretsFor(which: { signingKey: boolean; passwords: Record<string, Login> }): RoleSecrets {
  if ($dev)
    return {
      devEnvironment: which.signingKey ? { RETAINWISE_SIGNING_SECRET: downloadSigningKey.value } : {},
      executionRole: () => undefined,
    };
  const passwords = Object.entries(which.passwords).map(
    ([name, login]) => [name, databaseLogins![login].secretArn] as const,
  );
  const parameters = which.signingKey ? [downloadSigningKeyParameter!.arn] : [];
  return {
    ssm: {
      ...Object.fromEntries(passwords.map(([name, secretArn]) => [name, $interpolate`${secretArn}:password::`])),
      ...(which.signingKey ? { RETAINWISE_SIGNING_SECRET: downloadSigningKeyParameter!.arn } : {}),
    },
    devEnvironment: {},
    executionRole: readOnly(
      parameters,
      passwords.map(([, secretArn]) => secretArn),
    ),
  };
}

/** Replaces SST's read-everything inline policy with one naming these (ECR pulls and logs stay with AWS's managed policy). */
function readOnly(parameters: $util.Input<string>[], secrets: $util.Input<string>[]) {
  return (args: aws.iam.RoleArgs): undefined => {
    args.inlinePolicies = [
      {
        name: "inline",
        policy: $jsonStringify({
          Version: "2012-10-17",
          Statement: [
            ...(parameters.length
              ? [{ Sid: "ReadOurParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: parameters }]
              : []),
            {
              Sid: "ReadTheDatabasePasswords",
              Effect: "Allow",
              Action: ["secretsmanager:GetSecretValue"],
              Resource: secrets,
            },
          ],
        }),
      },
    ];
    return;
  };
}

export { deadLetters };
