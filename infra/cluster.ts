import { vpc } from "./network";

/**
 * The ECS cluster. Container Insights publishes RunningTaskCount per service, which the worker's
 * scaling divides the queue's backlog by (infra/worker.ts).
 */
export const cluster = new sst.aws.Cluster("Cluster", {
  vpc,
  transform: {
    cluster: (args) => {
      args.settings = [{ name: "containerInsights", value: "enabled" }];
    },
  },
});
