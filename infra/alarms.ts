import { deadLetters, jobs } from "./queue";

/** Thirty minutes: no upload should wait that long for a worker. */
const OLDEST_MESSAGE_ALARM_SECONDS = 1800;

/** Anything in the dead-letter queue is a job that failed three times: someone should look. */
export const deadLetterAlarm = new aws.cloudwatch.MetricAlarm("JobsDeadLetterNotEmpty", {
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  dimensions: { QueueName: deadLetters.nodes.queue.name },
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 1,
  comparisonOperator: "GreaterThanThreshold",
  threshold: 0,
  treatMissingData: "notBreaching",
  alarmDescription: "Jobs were dead-lettered after 3 failed receives: see docs/DEPLOY.md, 'DLQ redrive'.",
});

export const backlogAlarm = new aws.cloudwatch.MetricAlarm("JobsOldestMessageTooOld", {
  namespace: "AWS/SQS",
  metricName: "ApproximateAgeOfOldestMessage",
  dimensions: { QueueName: jobs.nodes.queue.name },
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 1,
  comparisonOperator: "GreaterThanThreshold",
  threshold: OLDEST_MESSAGE_ALARM_SECONDS,
  treatMissingData: "notBreaching",
  alarmDescription: "A job has waited over 30 minutes for a worker: check worker scaling and logs.",
});
