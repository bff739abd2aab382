export { createAwsClients, type AwsClientOptions } from "./clients.ts";
export { createS3ObjectStore, type S3ObjectStoreOptions } from "./s3-object-store.ts";
export { createSqsJobQueue, type SqsJobQueueOptions } from "./sqs-job-queue.ts";
export { translateAwsError } from "./errors.ts";
export { createEcsTaskProtection, type EcsTaskProtectionOptions } from "./ecs-task-protection.ts";
export { ecsTaskRevision } from "./ecs-task-metadata.ts";
