export * from "./prediction.ts";
export * from "./model.ts";
export * from "./job-rows.ts";
export { DEFAULT_STALL_HEARTBEATS, runJob, retryDelaySeconds } from "./run-job.ts";
export type { JobContext, JobWork, ProcessOutcome, RunJobDeps, RunJobOptions } from "./run-job.ts";
export { handleJobMessage, type JobTasks } from "./dispatch.ts";
export { submitJob, sendJob, type SubmitJob } from "./submit.ts";
export { trainWork, modelKeys, modelPrefix } from "./train-model.ts";
export type { TrainDeps, TrainOptions as TrainJobOptions } from "./train-model.ts";
