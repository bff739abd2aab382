import { MAX_CONNECTIONS } from "../stacks/stages";
import { api } from "./api";
import { cluster } from "./cluster";
import { database } from "./database";
import { deadLetters, jobs } from "./queue";
import { settings } from "./settings";
import { worker } from "./worker";

/** Thirty minutes: no upload should wait that long for a worker. */
const OLDEST_MESSAGE_ALARM_SECONDS = 1800;
/** 5xx answers in 5 minutes that page someone: a few are a client's bad luck, this many are an outage. */
const FIVE_XX_PER_5_MINUTES = 10;
const DATABASE_CPU_PERCENT = 80;
/** RDS grows storage on its own up to `maxStorage`; below this much free, it is near that ceiling. */
const FREE_STORAGE_BYTES = 2 * 1024 ** 3;
/** Of the instance's planned max_connections budget (stacks/stages.ts): past it, pools are about to wait. */
const CONNECTIONS_SHARE = 0.8;

/** Where every alarm goes; the stage's `alarmEmail` (stacks/stages.ts) is subscribed and must confirm once. */
export const alarmTopic = new aws.sns.Topic("Alarms", {});
if (settings.alarmEmail) {
  new aws.sns.TopicSubscription("AlarmsEmail", {
    topic: alarmTopic.arn,
    protocol: "email",
    endpoint: settings.alarmEmail,
  });
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

/**
 * The deployed stage's health (not under `sst dev`: no load balancer, database or services):
 * the load balancer's own 5xx (503 when no API task is healthy) and the API's 5xx, unhealthy API
 * targets, fewer API tasks running than the minimum, the database's CPU, free storage and
 * connections, and an ECS deployment that failed (rolled back by the circuit breaker).
 */
if (!$dev) {
  const account = aws.getCallerIdentityOutput({}).accountId;
  const lb = { LoadBalancer: api.nodes.loadBalancer.arnSuffix };
  const instance = { DBInstanceIdentifier: database.nodes.instance!.identifier };
  const sum5min = { statistic: "Sum", period: 300, evaluationPeriods: 1, treatMissingData: "notBreaching" };
  new aws.cloudwatch.MetricAlarm("ApiLoadBalancer5xx", {
    namespace: "AWS/ApplicationELB",
    metricName: "HTTPCode_ELB_5XX_Count",
    dimensions: lb,
    ...sum5min,
    comparisonOperator: "GreaterThanThreshold",
    threshold: FIVE_XX_PER_5_MINUTES,
    alarmDescription:
      "The load balancer answered 5xx itself (503: no healthy API task): check the API service's events and /healthz.",
    ...notify,
  });
  new aws.cloudwatch.MetricAlarm("ApiTarget5xx", {
    namespace: "AWS/ApplicationELB",
    metricName: "HTTPCode_Target_5XX_Count",
    dimensions: lb,
    ...sum5min,
    comparisonOperator: "GreaterThanThreshold",
    threshold: FIVE_XX_PER_5_MINUTES,
    alarmDescription: "The API answered 5xx: its logs name the error codes (docs/ERRORS.md).",
    ...notify,
  });
  // UnHealthyHostCount is published per target group (never per load balancer alone), and SST keeps
  // its target group to itself: a Metrics Insights query finds every target group of this load balancer.
  new aws.cloudwatch.MetricAlarm("ApiUnhealthyHosts", {
    metricQueries: [
      {
        id: "unhealthy",
        expression: $interpolate`SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${lb.LoadBalancer}'`,
        period: 60,
        label: "API targets failing the load balancer's health check",
        returnData: true,
      },
    ],
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    alarmDescription:
      "An API task has failed the load balancer's /healthz check for 3 minutes: check the API service's events and logs.",
    ...notify,
  });
  new aws.cloudwatch.MetricAlarm("ApiTasksBelowMinimum", {
    namespace: "ECS/ContainerInsights",
    metricName: "RunningTaskCount",
    dimensions: { ClusterName: cluster.nodes.cluster.name, ServiceName: api.nodes.service.name },
    statistic: "Minimum",
    period: 60,
    evaluationPeriods: 5,
    treatMissingData: "breaching",
    comparisonOperator: "LessThanThreshold",
    threshold: settings.api.min,
    alarmDescription:
      "Fewer API tasks have run than the service's minimum for 5 minutes: tasks fail their health check or do not start.",
    ...notify,
  });
  new aws.cloudwatch.MetricAlarm("DatabaseCpuHigh", {
    namespace: "AWS/RDS",
    metricName: "CPUUtilization",
    dimensions: instance,
    statistic: "Average",
    period: 300,
    evaluationPeriods: 3,
    comparisonOperator: "GreaterThanThreshold",
    threshold: DATABASE_CPU_PERCENT,
    alarmDescription: "The database's CPU has been over 80% for 15 minutes: a larger instance, or a slow query.",
    ...notify,
  });
  new aws.cloudwatch.MetricAlarm("DatabaseStorageLow", {
    namespace: "AWS/RDS",
    metricName: "FreeStorageSpace",
    dimensions: instance,
    statistic: "Minimum",
    period: 300,
    evaluationPeriods: 1,
    comparisonOperator: "LessThanThreshold",
    threshold: FREE_STORAGE_BYTES,
    alarmDescription: "Under 2 GB free: storage autoscaling is at the stage's maxStorage (stacks/stages.ts).",
    ...notify,
  });
  new aws.cloudwatch.MetricAlarm("DatabaseConnectionsHigh", {
    namespace: "AWS/RDS",
    metricName: "DatabaseConnections",
    dimensions: instance,
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 2,
    comparisonOperator: "GreaterThanThreshold",
    threshold: Math.floor(MAX_CONNECTIONS[settings.database.instance] * CONNECTIONS_SHARE),
    alarmDescription: "Connections near the instance's budget (docs/DEPLOY.md, 'Connection budget').",
    ...notify,
  });

  // ECS reports a failed (rolled back) deployment as an event, not a metric: EventBridge to the topic.
  const failedDeployments = new aws.cloudwatch.EventRule("EcsDeploymentFailed", {
    description: "An ECS deployment of the API or worker failed and was rolled back.",
    eventPattern: $jsonStringify({
      source: ["aws.ecs"],
      "detail-type": ["ECS Deployment State Change"],
      resources: [api.nodes.service.id, worker.nodes.service.id],
      detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
    }),
  });
  new aws.cloudwatch.EventTarget("EcsDeploymentFailedToAlarms", { rule: failedDeployments.name, arn: alarmTopic.arn });
  new aws.sns.TopicPolicy("AlarmsFromEventBridge", {
    arn: alarmTopic.arn,
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        // Replacing the topic's default policy: keep the account's own use and the alarms' publishing.
        {
          Sid: "AccountOwnerUses",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: [
            "sns:Publish",
            "sns:Subscribe",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListSubscriptionsByTopic",
          ],
          Resource: alarmTopic.arn,
          Condition: { StringEquals: { "AWS:SourceOwner": account } },
        },
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: alarmTopic.arn,
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        },
        {
          Sid: "EventBridgePublishes",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sns:Publish",
          Resource: alarmTopic.arn,
          Condition: { ArnEquals: { "aws:SourceArn": failedDeployments.arn } },
        },
      ],
    }),
  });
}
