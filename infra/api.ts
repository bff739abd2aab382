import { apiPermissions, environment } from "./access";
import { cluster } from "./cluster";
import { database } from "./database";
import { bootstrapAdminKey, downloadSigningKey } from "./secrets";
import { settings } from "./settings";

const PORT = 3000;

/**
 * The API and web UI on Fargate behind a load balancer. Not a Lambda: uploads are streamed and
 * may be gigabytes, past Lambda's ~6 MB request body limit.
 */
export const api = new sst.aws.Service("Api", {
  cluster,
  image: { context: ".", dockerfile: "Dockerfile" },
  command: ["api"],
  cpu: settings.api.cpu,
  memory: settings.api.memory,
  link: [database, downloadSigningKey, bootstrapAdminKey],
  permissions: apiPermissions,
  environment: { ...environment, RETAINWISE_PORT: String(PORT) },
  loadBalancer: {
    ports: [{ listen: "80/http", forward: `${PORT}/http` }],
    health: { [`${PORT}/http`]: { path: "/readyz", interval: "10 seconds" } },
  },
  scaling: { min: settings.api.min, max: settings.api.max },
  dev: { command: `node packages/cli/bin/retainwise.mjs api --port ${PORT}` },
});
