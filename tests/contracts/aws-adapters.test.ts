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
  return { queue: createSqsJobQueue({ client: aws.sqs, queueUrl }), parked: () => receiveSent(aws.sqs, queueUrl) };
});

/**
 * Resolves when the SDK sends a ReceiveMessage for `queueUrl`: the long poll is then the server's
 * to hold. Observed through a middleware at the last step before the wire, removed once seen.
 */
function receiveSent(client: AwsEmulator["sqs"], queueUrl: string): Promise<void> {
  const name = `receive-sent-${queueUrl}`;
  return new Promise((resolve) => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          context.commandName === "ReceiveMessageCommand" &&
          (args.input as { QueueUrl?: string }).QueueUrl === queueUrl
        ) {
          client.middlewareStack.remove(name);
          resolve();
        }
        return next(args);
      },
      { step: "finalizeRequest", name },
    );
  });
}

// fauxqs 1.9.2 has no UploadPartCopy (a copy request's empty body is stored as the part), so compose
// reads stored parts here with ranged GETs into the same parts (`serverSideCopy: false`); its part
// plan, the 5 MiB rule (fauxqs refuses a smaller part at completion) and aborting are still S3's.
objectStoreContract("S3 object store (fauxqs)", async () => ({
  store: createS3ObjectStore({ client: aws.s3, bucket: aws.bucket, serverSideCopy: false }),
  inProcessServer: true,
  presignedUrlsEnforced: false,
}));
