import { boundaryArn } from "./ci/policies";

/**
 * Every IAM role this stage creates (SST's task and execution roles, any a later component adds)
 * carries the permissions boundary infra/ci deploys: the CI deploy roles may create a role only
 * with it (infra/ci/policies.ts), and whatever policy a deploy attaches, the role can do no more
 * than the boundary allows (no IAM at all). Imported first, so the transform sees every role.
 * The boundary must exist in the account: deploy infra/ci once before any stage (docs/DEPLOY.md).
 */
const account = aws.getCallerIdentityOutput({}).accountId;

$transform(aws.iam.Role, (args) => {
  args.permissionsBoundary = account.apply(boundaryArn);
});
