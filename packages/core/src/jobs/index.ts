export * from "./job-rows.ts";
export { DEFAULT_STALL_HEARTBEATS, runJob, retryDelaySeconds } from "./run-job.ts";
export type { JobContext, JobWork, ProcessOutcome, RunJobDeps, RunJobOptions } from "./run-job.ts";
export { handleJobMessage, jobRegistry, type AnyJobSpec, type JobRegistry, type JobSpec } from "./registry.ts";
export { JOB_KINDS, JobMessageSchema, jobMessage, parseJobMessage, type JobKind, type JobMessage } from "./messages.ts";
export { enqueueJob, submitJob, sendJob, type StoredInput, type SubmitJob } from "./submit.ts";
