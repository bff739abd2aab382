import { MAX_RECEIVES, VISIBILITY_TIMEOUT_SECONDS } from "./settings";

const FOUR_DAYS_SECONDS = 4 * 24 * 3600;
const FOURTEEN_DAYS_SECONDS = 14 * 24 * 3600;

/** Messages that failed MAX_RECEIVES times wait here 14 days for a look and a redrive (docs/DEPLOY.md). */
export const deadLetters = new sst.aws.Queue("JobsDeadLetter", {
  transform: { queue: { messageRetentionSeconds: FOURTEEN_DAYS_SECONDS } },
});

/** One message per job, `{"kind": "score" | "train" | "index-scores", "id": "<uuid>"}` (packages/core/src/jobs/messages.ts). */
export const jobs = new sst.aws.Queue("Jobs", {
  visibilityTimeout: `${VISIBILITY_TIMEOUT_SECONDS} seconds`,
  dlq: { queue: deadLetters.arn, retry: MAX_RECEIVES },
  transform: { queue: { messageRetentionSeconds: FOUR_DAYS_SECONDS } },
});
