import { afterAll, beforeAll } from "vitest";
import { createS3ObjectStore, createSqsJobQueue } from "../../packages/aws/src/index.ts";
import { startAwsEmulator, type AwsEmulator } from "../support/aws.ts";
import { jobQueueContract } from "./job-queue.contract.ts";
import { objectStoreContract } from "./object-store.contract.ts";

let aws: AwsEmulator;
beforeAll(async () => {
  aws = await startAwsEmulator();
});
afterAll(() => aws.stop());

jobQueueContract("SQS job queue (fauxqs)", async () => {
  const { queueUrl } = aws.createQueuePair();
  return { queue: createSqsJobQueue({ client: aws.sqs, queueUrl }) };
});

objectStoreContract("S3 object store (fauxqs)", async () => ({
  store: createS3ObjectStore({ client: aws.s3, bucket: aws.bucket }),
  inProcessServer: true,
  presignedUrlsEnforced: false,
}));
