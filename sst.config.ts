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
      // `shared` holds the VPC and cluster every personal and preview stage runs in (stacks/stages.ts).
      removal: input?.stage === "production" || input?.stage === "shared" ? "retain" : "remove",
      protect: input?.stage === "production" || input?.stage === "shared",
    };
  },
  async run() {
    const { NETWORK_STAGE, stageSettings } = await import("./stacks/stages");
    const settings = stageSettings($app.stage);
    // `sst dev` replaces a stage's RDS and ECS services with local processes: never on a shared stage.
    if ($dev && settings.sharedStage)
      throw new Error(
        `sst dev refuses the shared stage "${$app.stage}": use your own stage (sst dev --stage "$USER").`,
      );
    if ($app.stage === NETWORK_STAGE) {
      const { vpc } = await import("./infra/network");
      const { cluster } = await import("./infra/cluster");
      return { vpc: vpc.id, cluster: cluster.nodes.cluster.arn };
    }
    if (settings.sharedStage && !settings.domain)
      throw new Error(
        `The shared stage "${$app.stage}" needs a domain in stacks/stages.ts: its API is served over HTTPS only.`,
      );
    await import("./infra/boundary");
    await import("./infra/network");
    await import("./infra/database");
    const { bucket } = await import("./infra/storage");
    const { jobs, deadLetters } = await import("./infra/queue");
    await import("./infra/secrets");
    await import("./infra/cluster");
    // Builds the image and migrates (as the migration role) before the services below roll.
    const { migrateTaskSettings } = await import("./infra/migrate");
    await import("./infra/logs");
    await import("./infra/api");
    await import("./infra/worker");
    await import("./infra/waf");
    await import("./infra/alarms");
    const { httpsUrl } = await import("./infra/https");
    return {
      api: httpsUrl(),
      bucket: bucket.name,
      queue: jobs.url,
      deadLetterQueue: deadLetters.url,
      // One JSON line scripts/first-deploy.sh reads to run the Migrate task again (none under `sst dev`).
      ...(migrateTaskSettings ? { migrateTask: $jsonStringify(migrateTaskSettings) } : {}),
    };
  },
});
