/**
 * Who may assume the role: only workflows of this repository, and only jobs running in the
 * `preview`, `staging` or `production` GitHub environment (the deploy jobs; production's needs a
 * reviewer's approval first). A fork's pull request, another branch's job or another repository
 * gets nothing.
 */
const GITHUB_OIDC = "token.actions.githubusercontent.com";
export const ENVIRONMENTS = ["preview", "staging", "production"];

const repository = process.env.GITHUB_REPOSITORY;
if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
  throw new Error("Set GITHUB_REPOSITORY=owner/repo (the repository whose workflows deploy) before deploying infra/ci.");
}

export const provider = new aws.iam.OpenIdConnectProvider("GithubOidc", {
  url: `https://${GITHUB_OIDC}`,
  clientIdLists: ["sts.amazonaws.com"],
});

const account = aws.getCallerIdentityOutput({}).accountId;

export const deployRole = new aws.iam.Role("GithubDeploy", {
  name: "retainwise-github-deploy",
  maxSessionDuration: 2 * 3600,
  assumeRolePolicy: $jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: provider.arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [`${GITHUB_OIDC}:aud`]: "sts.amazonaws.com" },
          "ForAnyValue:StringEquals": { [`${GITHUB_OIDC}:sub`]: ENVIRONMENTS.map((environment) => `repo:${repository}:environment:${environment}`) },
        },
      },
    ],
  }),
  // `sst deploy` creates VPCs, RDS, ECS, ALBs, SQS, S3, CloudFront, ACM, Route 53 records and the
  // app's roles: PowerUserAccess covers all but IAM, which is limited to the app's own roles.
  managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
  inlinePolicies: [
    {
      name: "retainwise-roles-only",
      policy: $jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:PassRole"],
            Resource: [$interpolate`arn:aws:iam::${account}:role/retainwise-*`],
          },
          { Effect: "Allow", Action: ["iam:CreateServiceLinkedRole"], Resource: "*" },
        ],
      }),
    },
  ],
});
