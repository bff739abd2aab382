/// <reference path="../../.sst/platform/config.d.ts" />

/**
 * The CI deploy roles, as code: GitHub's OIDC provider, the permissions boundary every app role
 * carries, and one role per GitHub environment the workflows assume with short-lived credentials
 * (no access keys anywhere). An admin deploys this app once per AWS account, before any stage:
 *
 *   cd infra/ci && GITHUB_REPOSITORY=owner/repo npx sst deploy --stage ci
 *
 * and stores each printed role ARN as the `AWS_DEPLOY_ROLE_ARN` variable of the GitHub environment
 * of the same name (docs/DEPLOY.md).
 */
export default $config({
  app() {
    return { name: "retainwise-ci", home: "aws", version: "4.17.1", removal: "retain", protect: true };
  },
  async run() {
    const { boundary, deployRoles } = await import("./deploy-role");
    return {
      boundaryArn: boundary.arn,
      previewRoleArn: deployRoles.preview.arn,
      stagingRoleArn: deployRoles.staging.arn,
      productionRoleArn: deployRoles.production.arn,
    };
  },
});
