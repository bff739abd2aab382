import {
  BOUNDARY_POLICY_NAME,
  CI_PATH,
  ciPolicies,
  DEPLOY_ENVIRONMENTS,
  GITHUB_OIDC,
  type DeployEnvironment,
} from "./policies";

/**
 * GitHub's OIDC provider, the permissions boundary every app role must carry, and one deploy role
 * per GitHub environment, each assumable only by jobs running in that environment of this
 * repository (production's needs a reviewer's approval first). A fork's pull request, another
 * environment's job or another repository gets nothing; a pull request's preview job gets the
 * preview role, which reaches only `pr-*` stages (infra/ci/policies.ts says what and why).
 */
const repository = process.env.GITHUB_REPOSITORY;
if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
  throw new Error(
    "Set GITHUB_REPOSITORY=owner/repo (the repository whose workflows deploy) before deploying infra/ci.",
  );
}

export const provider = new aws.iam.OpenIdConnectProvider("GithubOidc", {
  url: `https://${GITHUB_OIDC}`,
  clientIdLists: ["sts.amazonaws.com"],
});

const policies = $resolve([aws.getCallerIdentityOutput({}).accountId, provider.arn]).apply(
  ([account, oidcProviderArn]) => ciPolicies({ account, repository, oidcProviderArn }),
);

/** sst.config.ts sets this boundary on every role a stage creates (`$transform(aws.iam.Role, …)`). */
export const boundary = new aws.iam.Policy("AppRoleBoundary", {
  name: BOUNDARY_POLICY_NAME,
  path: CI_PATH,
  description: "The most any role a RetainWise deploy creates may do: the app's runtime actions, no IAM.",
  policy: policies.apply((p) => JSON.stringify(p.boundary)),
});

export const deployRoles = Object.fromEntries(
  DEPLOY_ENVIRONMENTS.map((environment) => {
    const documents = policies.apply((p) => p.roles[environment]);
    const role = new aws.iam.Role(`GithubDeploy${environment[0]!.toUpperCase()}${environment.slice(1)}`, {
      name: documents.name,
      path: CI_PATH,
      maxSessionDuration: 2 * 3600,
      assumeRolePolicy: documents.trust.apply((trust) => JSON.stringify(trust)),
      managedPolicyArns: documents.managed,
      inlinePolicies: [{ name: "deploy", policy: documents.inline.apply((inline) => JSON.stringify(inline)) }],
    });
    return [environment, role];
  }),
) as Record<DeployEnvironment, aws.iam.Role>;
