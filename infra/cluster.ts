import { NETWORK_STAGE, SHARED_CLUSTER_NAME } from "../stacks/stages";
import { vpc } from "./network";
import { settings } from "./settings";

/**
 * The ECS cluster. Container Insights publishes RunningTaskCount per service, which the worker's
 * scaling divides the queue's backlog by (infra/worker.ts). Personal and preview stages use the
 * `shared` stage's cluster, which has a fixed name so its ARN can be written down here; their
 * services are named `retainwise-<stage>-Api` there (infra/ecs.ts), unique in the cluster.
 */
const account = aws.getCallerIdentityOutput({}).accountId;
const region = aws.getRegionOutput({}).name;

export const cluster =
  settings.network === "shared"
    ? sst.aws.Cluster.get("Cluster", {
        id: $interpolate`arn:aws:ecs:${region}:${account}:cluster/${SHARED_CLUSTER_NAME}`,
        vpc,
      })
    : new sst.aws.Cluster("Cluster", {
        vpc,
        transform: {
          cluster: (args) => {
            if ($app.stage === NETWORK_STAGE) args.name = SHARED_CLUSTER_NAME;
            args.settings = [{ name: "containerInsights", value: "enabled" }];
          },
        },
      });
