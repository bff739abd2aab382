import { api } from "./api";
import { settings } from "./settings";

/**
 * The cluster-wide rate limit: an AWS WAF rate-based rule on the load balancer blocks an address
 * that sends more than `settings.rateLimitPer5Minutes` requests in 5 minutes, whichever API task
 * they reach (each task's own limits only see its share). Only on stages that set a limit.
 */
if (settings.rateLimitPer5Minutes && !$dev) {
  const acl = new aws.wafv2.WebAcl("ApiRateLimit", {
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    rules: [
      {
        name: "per-address",
        priority: 1,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: settings.rateLimitPer5Minutes, aggregateKeyType: "IP" } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "ApiRateLimited", sampledRequestsEnabled: true },
      },
    ],
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "ApiRequests", sampledRequestsEnabled: false },
  });
  new aws.wafv2.WebAclAssociation("ApiRateLimitAssociation", { resourceArn: api.nodes.loadBalancer.arn, webAclArn: acl.arn });
}
