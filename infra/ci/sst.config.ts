/// <reference path="../../.sst/platform/config.d.ts" />

/**
 * The CI deploy role, as code: GitHub's OIDC provider and one role the workflows assume with
 * short-lived credentials (no access keys anywhere). An admin deploys this app once per AWS account:
 *
 *   cd infra/ci && GITHUB_REPOSITORY=owner/repo npx sst deploy --stage ci
 *
 * and stores the printed `roleArn` as the repository variable AWS_DEPLOY_ROLE_ARN (docs/DEPLOY.md).
 */
export default $config({
  app() {
    return { name: "retainwise-ci", home: "aws", version: "4.17.1", removal: "retain", protect: true };
  },
  async run() {
    const { deployRole } = await import("./deploy-role");
    return { roleArn: deployRole.arn };
  },
});
