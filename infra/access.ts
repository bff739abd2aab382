import { bucket } from "./storage";
import { deadLetters, jobs } from "./queue";

/**
 * Least privilege, written out. A `link` to a queue or bucket would grant `sqs:*` / `s3:*`, so
 * neither is linked: each service gets the names through env vars and exactly these actions.
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
  { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], resources: [jobs.arn] },
  { actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], resources: [objects] },
  { actions: ["s3:ListBucket"], resources: [bucket.arn] },
];

/** What both roles read from the environment (packages/cli/src/config.ts). */
export const environment = {
  RETAINWISE_MODE: "aws",
  RETAINWISE_BUCKET: bucket.name,
  RETAINWISE_QUEUE_URL: jobs.url,
};

export { deadLetters };
