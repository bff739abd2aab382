import { api } from "./api";
import { wafLogGroup } from "./logs";
import { settings } from "./settings";

/**
 * AWS WAF on the load balancer, on stages that set `rateLimitPer5Minutes` (production):
 * - the cluster-wide rate limit: an address sending more than `settings.rateLimitPer5Minutes`
 *   requests in 5 minutes is blocked, whichever API task they reach (each task's own limits only
 *   see its share);
 * - AWS's managed rule groups Common (OWASP-style: bad bots, LFI, XSS, …) and Known Bad Inputs
 *   (Log4Shell, Java deserialisation, …). Common's SizeRestrictions_BODY blocks bodies over 8 KB,
 *   which is every CSV upload, so that one rule only counts;
 * - every request logged to `aws-waf-logs-retainwise-<stage>` (infra/logs.ts), cookies and the
 *   API key header redacted.
 */
const managed = (priority: number, name: string, metricName: string, overrideToCount: string[] = []) => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: "AWS",
      name,
      ruleActionOverrides: overrideToCount.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
    },
  },
  visibilityConfig: { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true },
});

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
        visibilityConfig: {
          cloudwatchMetricsEnabled: true,
          metricName: "ApiRateLimited",
          sampledRequestsEnabled: true,
        },
      },
      managed(2, "AWSManagedRulesCommonRuleSet", "ApiCommonRules", ["SizeRestrictions_BODY"]),
      managed(3, "AWSManagedRulesKnownBadInputsRuleSet", "ApiKnownBadInputs"),
    ],
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "ApiRequests", sampledRequestsEnabled: false },
  });
  new aws.wafv2.WebAclAssociation("ApiRateLimitAssociation", {
    resourceArn: api.nodes.loadBalancer.arn,
    webAclArn: acl.arn,
  });
  if (wafLogGroup) {
    new aws.wafv2.WebAclLoggingConfiguration("ApiWafLogging", {
      resourceArn: acl.arn,
      logDestinationConfigs: [wafLogGroup.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    });
  }
}
