import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";

export interface AwsClientOptions {
  region: string;
  /** An S3/SQS-speaking emulator (fauxqs, LocalStack); unset in AWS. */
  endpoint?: string;
  /** Emulators serve buckets by path, not by `<bucket>.host`. */
  forcePathStyle?: boolean;
  /** Explicit keys (emulators); unset in AWS, where the task role's default chain applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** One S3 and one SQS client per process: they pool their sockets. */
export function createAwsClients(options: AwsClientOptions): { s3: S3Client; sqs: SQSClient } {
  const common = {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: options.forcePathStyle ?? false }),
    sqs: new SQSClient(common),
  };
}
