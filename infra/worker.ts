import { environment, workerPermissions } from "./access";
import { cluster } from "./cluster";
import { database } from "./database";
import { jobs } from "./queue";
import { SHUTDOWN_DEADLINE_SECONDS, STOP_TIMEOUT_SECONDS, settings } from "./settings";

/** Queue depth per worker task that triggers a scale-out step. */
const MESSAGES_PER_WORKER = 5;

/**
 * The scoring worker. ECS sends SIGTERM, waits `stopTimeout`, then SIGKILLs: the worker finishes or
 * releases its jobs within SHUTDOWN_DEADLINE_SECONDS, a little less.
 */
export const worker = new sst.aws.Service("Worker", {
  cluster,
  image: { context: ".", dockerfile: "Dockerfile" },
  command: ["worker"],
  cpu: settings.worker.cpu,
  memory: settings.worker.memory,
  link: [database],
  permissions: workerPermissions,
  environment: { ...environment, RETAINWISE_SHUTDOWN_DEADLINE_SECONDS: String(SHUTDOWN_DEADLINE_SECONDS) },
  // No CPU/memory target tracking: the queue depth below is what says there is work.
  scaling: { min: settings.worker.min, max: settings.worker.max, cpuUtilization: false, memoryUtilization: false },
  transform: {
    taskDefinition: (args) => {
      args.containerDefinitions = $jsonStringify(
        $jsonParse(args.containerDefinitions).apply((defs: Record<string, unknown>[]) => defs.map((d) => ({ ...d, stopTimeout: STOP_TIMEOUT_SECONDS }))),
      );
    },
  },
  dev: { command: "node packages/cli/bin/retainwise.mjs worker" },
});

// Scale on queue depth. Under `sst dev` the service is not deployed and its nodes throw.
if (!$dev) {
  const target = worker.nodes.autoScalingTarget;
  const scaleOut = new aws.appautoscaling.Policy("WorkerScaleOnQueueDepth", {
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    policyType: "StepScaling",
    stepScalingPolicyConfiguration: {
      adjustmentType: "ExactCapacity",
      cooldown: 60,
      metricAggregationType: "Maximum",
      stepAdjustments: [
        { metricIntervalLowerBound: "0", metricIntervalUpperBound: String(MESSAGES_PER_WORKER), scalingAdjustment: Math.max(1, settings.worker.min) },
        { metricIntervalLowerBound: String(MESSAGES_PER_WORKER), scalingAdjustment: settings.worker.max },
      ],
    },
  });
  const scaleIn = new aws.appautoscaling.Policy("WorkerScaleInWhenIdle", {
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    policyType: "StepScaling",
    stepScalingPolicyConfiguration: {
      adjustmentType: "ExactCapacity",
      cooldown: 300,
      metricAggregationType: "Maximum",
      stepAdjustments: [{ metricIntervalUpperBound: "0", scalingAdjustment: settings.worker.min }],
    },
  });
  const depth = { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: jobs.nodes.queue.name }, statistic: "Maximum", period: 60 };
  new aws.cloudwatch.MetricAlarm("WorkerQueueHasWork", {
    ...depth,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    alarmActions: [scaleOut.arn],
  });
  new aws.cloudwatch.MetricAlarm("WorkerQueueIdle", {
    ...depth,
    comparisonOperator: "LessThanOrEqualToThreshold",
    threshold: 0,
    evaluationPeriods: 10,
    alarmActions: [scaleIn.arn],
  });
}
