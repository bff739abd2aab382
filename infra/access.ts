import { cluster } from "./cluster";
import { databaseEnvironment, databasePasswordSecretArn } from "./database";
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
  { actions: ["s3:ListBucket"], resources: [bucket.arn] },
];

export const workerPermissions = [
  // SendMessage: the outbox relay re-sends a job whose API-side send failed.
  { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:SendMessage"], resources: [jobs.arn] },
  { actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], resources: [objects] },
  { actions: ["s3:ListBucket"], resources: [bucket.arn] },
  // Scale-in protection while a job is held; the ECS agent calls these with the task role.
  { actions: ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"], resources: [$interpolate`arn:aws:ecs:*:*:task/${cluster.nodes.cluster.name}/*`] },
];

/** What both roles read from the environment (packages/cli/src/config.ts); no secret among them. */
export const environment = {
  RETAINWISE_MODE: "aws",
  RETAINWISE_BUCKET: bucket.name,
  RETAINWISE_QUEUE_URL: jobs.url,
  ...databaseEnvironment,
};

/**
 * Secrets, by env var: deployed, ECS resolves these ARNs at task start (the execution role may read
 * exactly them, see `readOnlyOurSecrets`); under `sst dev` the local processes get the values.
 */
export const apiSecrets = secretsFor({ database: true, signingKey: true });
export const workerSecrets = secretsFor({ database: true, signingKey: false });

function secretsFor(which: { database: boolean; signingKey: boolean }): { ssm?: Record<string, $util.Input<string>>; devEnvironment: Record<string, $util.Input<string>> } {
  if ($dev) return { devEnvironment: which.signingKey ? { RETAINWISE_SIGNING_SECRET: downloadSigningKey.value } : {} };
  return {
    ssm: {
      ...(which.database ? { RETAINWISE_DATABASE_PASSWORD: $interpolate`${databasePasswordSecretArn!}:password::` } : {}),
      ...(which.signingKey ? { RETAINWISE_SIGNING_SECRET: downloadSigningKeyParameter!.arn } : {}),
    },
    devEnvironment: {},
  };
}

/**
 * SST's execution role may read every SSM parameter and secret in the account; this replaces its
 * inline policy with one naming our two (ECR pulls and logs stay with AWS's managed policy).
 */
export function readOnlyOurSecrets(args: aws.iam.RoleArgs): undefined {
  if ($dev) return;
  args.inlinePolicies = [
    {
      name: "inline",
      policy: $jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ReadOurParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [downloadSigningKeyParameter!.arn] },
          { Sid: "ReadTheDatabasePassword", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [databasePasswordSecretArn!] },
        ],
      }),
    },
  ];
  return;
}

export { deadLetters };
