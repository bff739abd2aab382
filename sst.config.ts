/// <reference path="./.sst/platform/config.d.ts" />

/**
 * RetainWise on AWS. One file per resource family in infra/, imported in dependency order;
 * per-stage settings in stacks/stages.ts. `sst deploy --stage NAME`, `sst dev` (docs/DEPLOY.md).
 */
export default $config({
  app(input) {
    return {
      name: "retainwise",
      home: "aws",
      version: "4.17.1",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    await import("./infra/network");
    await import("./infra/database");
    const { bucket } = await import("./infra/storage");
    const { jobs, deadLetters } = await import("./infra/queue");
    await import("./infra/secrets");
    await import("./infra/cluster");
    const { api } = await import("./infra/api");
    await import("./infra/worker");
    await import("./infra/alarms");
    return { api: api.url, bucket: bucket.name, queue: jobs.url, deadLetterQueue: deadLetters.url };
  },
});
