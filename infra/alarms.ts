import { deadLetters, jobs } from "./queue";
import { settings } from "./settings";

/** Thirty minutes: no upload should wait that long for a worker. */
const OLDEST_MESSAGE_ALARM_SECONDS = 1800;

/** Where every alarm goes; the stage's `alarmEmail` (stacks/stages.ts) is subscribed and must confirm once. */
export const alarmTopic = new aws.sns.Topic("Alarms", {});
if (settings.alarmEmail) {
  new aws.sns.TopicSubscription("AlarmsEmail", { topic: alarmTopic.arn, protocol: "email", endpoint: settings.alarmEmail });
}
const notify = { alarmActions: [alarmTopic.arn], okActions: [alarmTopic.arn] };

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
  ...notify,
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
  ...notify,
});
