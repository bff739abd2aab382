import { environment, workerPermissions, workerSecrets } from "./access";
import { cluster } from "./cluster";
import { afterMigration, keepScaledCount, stopAfter, uniqueInSharedCluster } from "./ecs";
import { image } from "./migrate";
import { jobs } from "./queue";
import {
  DRAIN_DEADLINE_SECONDS,
  JOBS_PER_WORKER_TASK,
  SHUTDOWN_DEADLINE_SECONDS,
  STOP_TIMEOUT_SECONDS,
  settings,
} from "./settings";

/**
 * The scoring worker, on the API's image (built once, by the Migrate task: infra/migrate.ts). While it holds a job the task is scale-in protected
 * (packages/worker/src/protect-while-busy.ts), so neither scale-in nor a deploy stops it mid-job;
 * a deploy's new tasks make the old ones drain (claim nothing, finish or release within
 * DRAIN_DEADLINE_SECONDS), so their protection ends; on SIGTERM (idle, or a Spot reclaim) it
 * finishes or releases its jobs within SHUTDOWN_DEADLINE_SECONDS, before ECS's SIGKILL.
 */
export const worker = new sst.aws.Service("Worker", {
  cluster,
  image,
  command: ["worker"],
  cpu: settings.worker.cpu,
  memory: settings.worker.memory,
  ...(settings.worker.capacity === "spot" ? { capacity: "spot" as const } : {}),
  permissions: workerPermissions,
  environment: {
    ...environment,
    ...workerSecrets.devEnvironment,
    RETAINWISE_SHUTDOWN_DEADLINE_SECONDS: String(SHUTDOWN_DEADLINE_SECONDS),
    RETAINWISE_DRAIN_DEADLINE_SECONDS: String(DRAIN_DEADLINE_SECONDS),
    RETAINWISE_WORKER_CONCURRENCY: String(JOBS_PER_WORKER_TASK),
    RETAINWISE_DATABASE_POOL_SIZE: "5",
  },
  ssm: workerSecrets.ssm,
  // No CPU/memory target tracking: the queue's backlog below is what says there is work.
  scaling: { min: settings.worker.min, max: settings.worker.max, cpuUtilization: false, memoryUtilization: false },
  wait: settings.waitForStable,
  transform: {
    executionRole: workerSecrets.executionRole,
    taskDefinition: stopAfter(STOP_TIMEOUT_SECONDS),
    service: (args, opts) => {
      uniqueInSharedCluster(args);
      afterMigration(opts);
      return keepScaledCount(args, opts);
    },
  },
  dev: { command: "node packages/cli/bin/retainwise.mjs worker" },
});

/**
 * Scaling on the backlog per task: (visible + in-flight messages) / running tasks, held at
 * JOBS_PER_WORKER_TASK by target tracking. In-flight jobs count, so busy workers are never taken
 * for idle ones, and scale-in only ever stops idle tasks (busy ones are protected). Target tracking
 * multiplies the current count, so it cannot start the first task: a step policy adds one
 * (ChangeInCapacity) when jobs wait and no worker runs. Under `sst dev` the service is not deployed.
 */
if (!$dev) {
  const target = worker.nodes.autoScalingTarget;
  const scalable = {
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
  };
  const queue = { QueueName: jobs.nodes.queue.name };
  const service = { ClusterName: cluster.nodes.cluster.name, ServiceName: worker.nodes.service.name };
  const pairs = (dimensions: Record<string, $util.Input<string>>) =>
    Object.entries(dimensions).map(([name, value]) => ({ name, value }));
  const metrics = [
    {
      id: "visible",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: queue,
      stat: "Maximum",
    },
    {
      id: "inflight",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesNotVisible",
      dimensions: queue,
      stat: "Maximum",
    },
    {
      id: "tasks",
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
      dimensions: service,
      stat: "Average",
    },
  ];
  const BACKLOG = "(FILL(visible, 0) + FILL(inflight, 0))";
  const TASKS = "FILL(tasks, 0)";

  new aws.appautoscaling.Policy("WorkerScaleOnBacklogPerTask", {
    ...scalable,
    policyType: "TargetTrackingScaling",
    targetTrackingScalingPolicyConfiguration: {
      targetValue: JOBS_PER_WORKER_TASK,
      scaleOutCooldown: 60,
      scaleInCooldown: 300,
      customizedMetricSpecification: {
        metrics: [
          ...metrics.map(({ id, namespace, metricName, dimensions, stat }) => ({
            id,
            returnData: false,
            metricStat: { stat, metric: { namespace, metricName, dimensions: pairs(dimensions) } },
          })),
          {
            id: "backlogPerTask",
            label: "Jobs per worker task",
            returnData: true,
            expression: `${BACKLOG} / IF(${TASKS} < 1, 1, ${TASKS})`,
          },
        ],
      },
    },
  });

  const startFirst = new aws.appautoscaling.Policy("WorkerStartFromZero", {
    ...scalable,
    policyType: "StepScaling",
    stepScalingPolicyConfiguration: {
      adjustmentType: "ChangeInCapacity",
      cooldown: 60,
      metricAggregationType: "Maximum",
      stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
    },
  });
  new aws.cloudwatch.MetricAlarm("WorkerJobsWaitWithNoWorker", {
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    alarmDescription: "Jobs are queued and no worker task runs: start one.",
    alarmActions: [startFirst.arn],
    metricQueries: [
      ...metrics.map(({ id, namespace, metricName, dimensions, stat }) => ({
        id,
        metric: { namespace, metricName, dimensions, stat, period: 60 },
      })),
      {
        id: "waitingWithNoWorker",
        label: "Jobs waiting with no worker",
        returnData: true,
        expression: `IF(${TASKS} < 1, ${BACKLOG}, 0)`,
      },
    ],
  });
}
