// SST ships @pulumi/command but makes only `aws` a global (see infra/migrate.ts for why it is imported here).
const { local } = await import("@pulumi/command");
import {
  BOUNDARY_POLICY_NAME,
  CI_PATH,
  ciPolicies,
  DEPLOY_ENVIRONMENTS,
  deployPolicyParts,
  GITHUB_OIDC,
  OIDC_SUBJECT_CLAIM_KEYS,
  type DeployEnvironment,
} from "./policies";

/**
 * GitHub's OIDC provider, the permissions boundary every app role must carry, and one deploy role
 * per GitHub environment, each assumable only by jobs running in that environment of this
 * repository, on a ref it trusts (staging and production: `main`, from deploy.yml; production's
 * also needs a reviewer's approval first). A fork's pull request, another environment's or
 * branch's job or another repository gets nothing; a pull request's preview job gets the preview
 * role, which reaches only `pr-*` stages (infra/ci/policies.ts says what and why).
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

/**
 * The repository's OIDC subject template, which the trust policies below match: set with the
 * deploying admin's GitHub CLI (`gh`, logged in as a repository admin) and read back, before any
 * role trusts the subjects it makes. Run again whenever the claim keys change.
 */
const subjectTemplate = new local.Command("GithubOidcSubject", {
  create: "node oidc-subject.mjs",
  update: "node oidc-subject.mjs",
  dir: $cli.paths.root,
  environment: { GITHUB_REPOSITORY: repository, OIDC_SUBJECT_CLAIM_KEYS: JSON.stringify(OIDC_SUBJECT_CLAIM_KEYS) },
  triggers: [repository, ...OIDC_SUBJECT_CLAIM_KEYS],
});

const account = aws.getCallerIdentityOutput({}).accountId;
const policies = $resolve([account, provider.arn]).apply(([account, oidcProviderArn]) =>
  ciPolicies({ account, repository, oidcProviderArn }),
);

/** sst.config.ts sets this boundary on every role a stage creates (`$transform(aws.iam.Role, …)`). */
export const boundary = new aws.iam.Policy("AppRoleBoundary", {
  name: BOUNDARY_POLICY_NAME,
  path: CI_PATH,
  description: "The most any role a RetainWise deploy creates may do: the app's runtime actions, no IAM.",
  policy: policies.apply((p) => JSON.stringify(p.boundary)),
});

const pascal = (text: string) => text.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

export const deployRoles = Object.fromEntries(
  DEPLOY_ENVIRONMENTS.map((environment) => {
    const documents = policies.apply((p) => p.roles[environment]);
    const own = deployPolicyParts(environment).map(
      ({ name }, index) =>
        new aws.iam.Policy(pascal(name.replace(/^retainwise-ci-/, "")), {
          name,
          path: CI_PATH,
          policy: documents.apply((d) => JSON.stringify(d.policies[index]!.document)),
        }),
    );
    const role = new aws.iam.Role(
      `GithubDeploy${pascal(environment)}`,
      {
        name: documents.name,
        path: CI_PATH,
        maxSessionDuration: 2 * 3600,
        assumeRolePolicy: documents.trust.apply((trust) => JSON.stringify(trust)),
        managedPolicyArns: $resolve([documents.awsManaged, $resolve(own.map((p) => p.arn))]).apply(
          ([awsManaged, arns]) => [...awsManaged, ...arns],
        ),
        // One empty block: the provider removes every inline policy (the `deploy` one earlier versions had included).
        inlinePolicies: [{}],
      },
      { dependsOn: [subjectTemplate] },
    );
    return [environment, role];
  }),
) as Record<DeployEnvironment, aws.iam.Role>;
