/**
 * An S3+SQS endpoint for tests: fauxqs (npm) in-process on a free loopback port, with a bucket and a
 * jobs queue whose RedrivePolicy moves a message to its DLQ after 3 receives — the same shape as
 * infra/queue.ts. The real AWS SDK talks to it over HTTP.
 *
 *   const aws = await startAwsEmulator();
 *   const store = createS3ObjectStore({ client: aws.s3, bucket: aws.bucket });
 *   const queue = createSqsJobQueue({ client: aws.sqs, queueUrl: aws.queueUrl });
 *   afterAll(() => aws.stop());
 */
import { randomUUID } from "node:crypto";
import { startFauxqs } from "fauxqs";
import { createAwsClients } from "../../packages/aws/src/index.ts";
import { MAX_RECEIVES } from "../../packages/core/src/index.ts";

type Clients = ReturnType<typeof createAwsClients>;

export interface AwsEmulator {
  endpoint: string;
  region: string;
  s3: Clients["s3"];
  sqs: Clients["sqs"];
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  /** A fresh queue pair with the same redrive policy (one per contract test). */
  createQueuePair(): { queueUrl: string; dlqUrl: string };
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export async function startAwsEmulator(): Promise<AwsEmulator> {
  const server = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false });
  const region = "us-east-1";
  const { s3, sqs } = createAwsClients({
    region,
    endpoint: server.address,
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
  });
  const bucket = `retainwise-${randomUUID().slice(0, 8)}`;
  server.createBucket(bucket);
  const createQueuePair = () => {
    const name = `jobs-${randomUUID().slice(0, 8)}`;
    const dlq = server.createQueue(`${name}-dlq`);
    const jobs = server.createQueue(name, {
      attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: MAX_RECEIVES }),
      },
    });
    // fauxqs's queue URLs carry a made-up host; the clients reach it through the explicit `endpoint`.
    return { queueUrl: jobs.queueUrl, dlqUrl: dlq.queueUrl };
  };
  const { queueUrl, dlqUrl } = createQueuePair();
  return {
    endpoint: server.address,
    region,
    s3,
    sqs,
    bucket,
    queueUrl,
    dlqUrl,
    createQueuePair,
    async stop() {
      s3.destroy();
      sqs.destroy();
      await server.stop();
    },
  };
}
