import { parseJobMessage, type ReceivedMessage } from "../ports/job-queue.ts";
import type { Model, TrainingProgress } from "./model.ts";
import type { Prediction, Progress } from "./prediction.ts";
import { runJob, type JobWork, type ProcessOutcome, type RunJobDeps, type RunJobOptions } from "./run-job.ts";

/** One handler per message kind, as graphile-worker's `tasks[job.task_identifier]`. */
export interface JobTasks {
  score?: JobWork<Prediction, Progress>;
  train?: JobWork<Model, TrainingProgress>;
}

/**
 * Handles one received message: parses it, picks the task for its kind and runs it (`runJob`). A
 * poison message (not a job message, or a kind this worker has no task for) is logged and left to
 * dead-letter.
 *
 * @example
 *   startWorker({ queue, ..., handle: (message, shutdown) => handleJobMessage(message, { score, train }, deps, { ...options, shutdown }) });
 */
export function handleJobMessage(message: ReceivedMessage, tasks: JobTasks, deps: RunJobDeps, options: RunJobOptions): Promise<ProcessOutcome> {
  const job = parseJobMessage(message.body);
  if (job?.kind === "score" && tasks.score) return runJob(job.predictionId, message, tasks.score, deps, options);
  if (job?.kind === "train" && tasks.train) return runJob(job.modelId, message, tasks.train, deps, options);
  deps.logger.warn("poison message left to dead-letter", { messageId: message.messageId, receiveCount: message.receiveCount, kind: job?.kind });
  return Promise.resolve("poison");
}
