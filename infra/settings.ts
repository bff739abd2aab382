import { stageSettings } from "../stacks/stages";

/** The current stage's settings (stacks/stages.ts). */
export const settings = stageSettings($app.stage);

/** The worker's SIGTERM deadline (RETAINWISE_SHUTDOWN_DEADLINE_SECONDS) and ECS's wait before SIGKILL, a little longer. */
export const SHUTDOWN_DEADLINE_SECONDS = 25;
export const STOP_TIMEOUT_SECONDS = 30;
/** The jobs queue's visibility timeout; the worker extends it while a job runs. */
export const VISIBILITY_TIMEOUT_SECONDS = 300;
/** Receives before a message moves to the dead-letter queue (MAX_RECEIVES in packages/core). */
export const MAX_RECEIVES = 3;
