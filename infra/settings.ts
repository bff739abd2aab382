import { stageSettings } from "../stacks/stages";

/** The current stage's settings (stacks/stages.ts). */
export const settings = stageSettings($app.stage);

/**
 * Stopping a task. ECS first drains it from the load balancer (`DRAIN_SECONDS`: an upload in
 * flight finishes), then sends SIGTERM and SIGKILLs `STOP_TIMEOUT_SECONDS` later (Fargate's
 * maximum). The worker finishes or releases its jobs by RETAINWISE_SHUTDOWN_DEADLINE_SECONDS, a
 * little earlier; while it holds a job its task is scale-in protected, so deploys and scale-in wait.
 */
export const DRAIN_SECONDS = 300;
export const STOP_TIMEOUT_SECONDS = 120;
export const SHUTDOWN_DEADLINE_SECONDS = 110;
/**
 * Deploys: ECS never stops a protected (busy) worker task, so a deploy's new worker generation is
 * the old workers' signal to drain (packages/worker/src/drain-on-new-generation.ts): they claim
 * nothing more and a job still running DRAIN_DEADLINE_SECONDS later is released for a new task.
 * With the stop timeout it stays inside the AWS provider's 20-minute wait for a stable service.
 */
export const DRAIN_DEADLINE_SECONDS = 600;
export const SERVICE_STABLE_WAIT_SECONDS = 20 * 60;
/**
 * Starting a task during a database failover (60-120 s): it waits up to DATABASE_WAIT_SECONDS
 * before it listens, and the load balancer's verdict is ignored for HEALTH_GRACE_SECONDS.
 */
export const DATABASE_WAIT_SECONDS = 240;
export const HEALTH_GRACE_SECONDS = 300;
/** The jobs queue's visibility timeout; the worker extends it while a job runs. */
export const VISIBILITY_TIMEOUT_SECONDS = 300;
/** Receives before a message moves to the dead-letter queue (MAX_RECEIVES in packages/core). */
export const MAX_RECEIVES = 3;
/** Jobs one worker task runs at once (RETAINWISE_WORKER_CONCURRENCY's default): the scaling target per task. */
export const JOBS_PER_WORKER_TASK = 2;
/** Where the image keeps the RDS certificate authorities (Dockerfile). */
export const RDS_CA_FILE = "/app/rds-ca.pem";
