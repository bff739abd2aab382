import { settings } from "./settings";

/**
 * Where request logs go, kept `settings.logRetentionDays`: the load balancer's access logs in a
 * private bucket of their own (infra/api.ts turns them on), and AWS WAF's logs in a CloudWatch log
 * group (WAF logs to S3 only into buckets named `aws-waf-logs-*`, one per account and name space;
 * a log group per stage is simpler and carries its own retention). Not under `sst dev`, which
 * creates no load balancer.
 */
const account = aws.getCallerIdentityOutput({}).accountId;

export const accessLogs = $dev ? undefined : createAccessLogBucket();

/** `aws-waf-logs-` is the prefix WAF requires of a log group it writes to. */
export const wafLogGroup =
  $dev || !settings.rateLimitPer5Minutes
    ? undefined
    : new aws.cloudwatch.LogGroup("WafLogs", {
        name: `aws-waf-logs-${$app.name}-${$app.stage}`,
        retentionInDays: settings.logRetentionDays,
      });

function createAccessLogBucket() {
  // Named retainwise-<stage>-logs-…: the preview deploy role may manage only buckets so named (infra/ci/policies.ts).
  const bucket = new aws.s3.Bucket("AccessLogs", {
    bucketPrefix: `${$app.name}-${$app.stage}-logs-`,
    forceDestroy: !settings.protect,
  });
  const block = new aws.s3.BucketPublicAccessBlock("AccessLogsPublicAccessBlock", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  // ALB access logs support SSE-S3 only (not KMS).
  new aws.s3.BucketServerSideEncryptionConfiguration("AccessLogsEncryption", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new aws.s3.BucketLifecycleConfiguration("AccessLogsExpiry", {
    bucket: bucket.id,
    rules: [
      { id: "expire-logs", status: "Enabled", filter: { prefix: "" }, expiration: { days: settings.logRetentionDays } },
    ],
  });
  // Who writes: the region's Elastic Load Balancing account (regions from before August 2022) or its log delivery service (newer ones).
  const elbAccount = aws.elb.getServiceAccountOutput({}).arn;
  const policy = new aws.s3.BucketPolicy(
    "AccessLogsPolicy",
    {
      bucket: bucket.id,
      policy: $jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "LoadBalancerWrites",
            Effect: "Allow",
            Principal: { AWS: elbAccount },
            Action: "s3:PutObject",
            Resource: $interpolate`${bucket.arn}/alb/AWSLogs/${account}/*`,
          },
          {
            Sid: "LogDeliveryWrites",
            Effect: "Allow",
            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: $interpolate`${bucket.arn}/alb/AWSLogs/${account}/*`,
          },
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, $interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    { dependsOn: [block] },
  );
  return { bucket, policy };
}
