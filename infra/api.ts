import { apiPermissions, apiSecrets, environment } from "./access";
import { cluster } from "./cluster";
import { afterMigration, keepScaledCount, stopAfter, uniqueInSharedCluster } from "./ecs";
import { accessLogs } from "./logs";
import { image } from "./migrate";
import { DRAIN_SECONDS, HEALTH_GRACE_SECONDS, STOP_TIMEOUT_SECONDS, settings } from "./settings";

const PORT = 3000;
const ANYWHERE = ["0.0.0.0/0"];
/** Browsers remember for a year to use HTTPS only (sent by the load balancer on every response). */
const HSTS = "max-age=31536000; includeSubDomains";
/**
 * TLS 1.3 and 1.2 only, forward-secret ciphers (AWS's recommended policy). Unset, the listener gets
 * ELBSecurityPolicy-2016-08, which still accepts TLS 1.0 and 1.1.
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * The API and web UI on Fargate behind a load balancer. Not a Lambda: uploads are streamed and
 * may be gigabytes, past Lambda's ~6 MB request body limit. HTTPS only: with a domain, the load
 * balancer terminates TLS; without one (personal stages), CloudFront does (infra/https.ts).
 */
export const api = new sst.aws.Service("Api", {
  cluster,
  // Built once, by the Migrate task (infra/migrate.ts); the worker runs the same image.
  image,
  command: ["api"],
  cpu: settings.api.cpu,
  memory: settings.api.memory,
  permissions: apiPermissions,
  environment: {
    ...environment,
    ...apiSecrets.devEnvironment,
    RETAINWISE_PORT: String(PORT),
    RETAINWISE_DATABASE_POOL_SIZE: "10",
    // Proxies that append the client's address to X-Forwarded-For: the load balancer, and CloudFront before it without a domain.
    RETAINWISE_TRUSTED_PROXY_HOPS: settings.domain ? "1" : "2",
  },
  ssm: apiSecrets.ssm,
  loadBalancer: {
    ...(settings.domain ? { domain: settings.domain } : {}),
    ports: settings.domain
      ? [
          { listen: "443/https", forward: `${PORT}/http` },
          { listen: "80/http", redirect: "443/https" },
        ]
      : [{ listen: "80/http", forward: `${PORT}/http` }],
    // Liveness only: /readyz (database, bucket, queue) would have a database failover replace every task.
    health: {
      [`${PORT}/http`]: { path: "/healthz", interval: "10 seconds", healthyThreshold: 2, unhealthyThreshold: 3 },
    },
  },
  scaling: { min: settings.api.min, max: settings.api.max },
  wait: settings.waitForStable,
  transform: {
    executionRole: apiSecrets.executionRole,
    taskDefinition: stopAfter(STOP_TIMEOUT_SECONDS),
    service: (args, opts) => {
      args.healthCheckGracePeriodSeconds = HEALTH_GRACE_SECONDS;
      uniqueInSharedCluster(args);
      afterMigration(opts);
      return keepScaledCount(args, opts);
    },
    // Access logs to the stage's log bucket (infra/logs.ts), once its policy lets the load balancer write.
    loadBalancer: (args, opts) => {
      if (!accessLogs) return;
      args.accessLogs = { bucket: accessLogs.bucket.bucket, prefix: "alb", enabled: true };
      // SST creates the load balancer with no dependsOn of its own (service.ts: `{ parent: self }`).
      opts.dependsOn = [accessLogs.policy];
      return;
    },
    target: (args) => {
      args.deregistrationDelay = DRAIN_SECONDS;
      return;
    },
    // With a domain, only 80 (redirect) and 443 are open; without one, only CloudFront may connect (infra/https.ts).
    loadBalancerSecurityGroup: (args) => {
      args.ingress = settings.domain
        ? [80, 443].map((port) => ({ fromPort: port, toPort: port, protocol: "tcp", cidrBlocks: ANYWHERE }))
        : [
            {
              fromPort: 80,
              toPort: 80,
              protocol: "tcp",
              prefixListIds: [
                aws.ec2.getManagedPrefixListOutput({ name: "com.amazonaws.global.cloudfront.origin-facing" }).id,
              ],
            },
          ];
      return;
    },
    listener: (args) => {
      if (args.protocol !== "HTTPS") return;
      args.routingHttpResponseStrictTransportSecurityHeaderValue = HSTS;
      args.sslPolicy = TLS_POLICY;
      return;
    },
  },
  dev: { command: `node packages/cli/bin/retainwise.mjs api --port ${PORT}`, url: `http://localhost:${PORT}` },
});
