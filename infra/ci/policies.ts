/**
 * The CI deploy roles' IAM documents, as plain data: one role per GitHub environment (preview,
 * staging, production), each trusted only by its own environment's OIDC `sub` on the refs it
 * deploys from (staging and production: `main`, see {@link OIDC_SUBJECT_CLAIM_KEYS}), and the permissions
 * boundary every role a deploy creates must carry. Pure functions of the account, repository and
 * OIDC provider, so tests/deploy/ci-policies.test.ts checks them statement by statement without
 * Pulumi; infra/ci/deploy-role.ts turns them into resources.
 *
 * The escalation paths these close (issue 22): a pull request's own `sst.config.ts` runs under the
 * `preview` environment with no reviewer, so whatever the preview role may do, any pull request
 * may do. Hence:
 * - no IAM write on anything but the stage's own app roles (`role/retainwise-<stage>-*`), and
 *   explicit denies on the deploy roles, the boundary policy and the OIDC provider (path
 *   `/retainwise-ci/`, which no app role pattern matches);
 * - a role may be created, or have its boundary set, only with {@link BOUNDARY_POLICY_NAME}, and
 *   never have it removed: whatever policy a deploy then attaches, the role can do no more than the
 *   boundary (no IAM at all);
 * - no `ecs:ExecuteCommand` (a shell in a task holding the database password) for any CI role, and
 *   no `sts:AssumeRole` (a role elsewhere in the account that trusts the account would be a way out);
 * - preview: an allow-list scoped to resources tagged `sst:stage=pr-*` (SST's provider tags every
 *   resource with `sst:app` / `sst:stage`) or named `retainwise-pr-*`, and no data-plane reads of
 *   anything else (no `s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter` outside
 *   its stage); tagging only as part of creating (where IAM can tell: EC2, ELB, ECS, and RDS and logs
 *   by name), so such an untagged resource made outside SST cannot be adopted by tagging it `pr-*`
 *   (docs/DEPLOY.md, "The CI deploy roles", names the services where IAM cannot tell);
 * - staging and production: AWS's PowerUserAccess (what `sst deploy` used until now), minus ECS
 *   Exec, minus every resource tagged with another stage.
 *
 * Each role's statements live in customer managed policies (`retainwise-ci-deploy-<environment>-<part>`,
 * path `/retainwise-ci/`), not inline: the preview's allow-list alone came within 3% of IAM's
 * 10,240-character limit on a role's inline policies, and a managed policy may have 6,144, up to 10
 * per role (tests/deploy/ci-policies.test.ts counts both as IAM does).
 *
 * @example
 * const documents = ciPolicies({ account: "123456789012", repository: "acme/retainwise", oidcProviderArn });
 * documents.roles.preview.policies.map((p) => p.name); // ["retainwise-ci-deploy-preview-guardrails", …]
 */

export const DEPLOY_ENVIRONMENTS = ["preview", "staging", "production"] as const;
export type DeployEnvironment = (typeof DEPLOY_ENVIRONMENTS)[number];

export const GITHUB_OIDC = "token.actions.githubusercontent.com";
/** The app's SST name: app resources and roles are named `retainwise-<stage>-…` (SST's physicalName). */
export const APP = "retainwise";
/**
 * The long-lived stage whose VPC and cluster personal and preview stages share, and that cluster's
 * name: stacks/stages.ts's NETWORK_STAGE and SHARED_CLUSTER_NAME (restated, not imported: this file
 * is also compiled with the tests' module settings; tests/deploy/ci-policies.test.ts ties them).
 */
export const SHARED_STAGE = "shared";
export const SHARED_CLUSTER_NAME = `${APP}-${SHARED_STAGE}`;
/** IAM path of the deploy roles and the boundary: `role/retainwise-<stage>-*` never matches it. */
export const CI_PATH = "/retainwise-ci/";
export const BOUNDARY_POLICY_NAME = "retainwise-app-boundary";
export const PREVIEW_STAGE_PATTERN = "pr-*";

/** Which stages each environment's role deploys (an IAM `StringLike` pattern). */
export const STAGE_PATTERN: Record<DeployEnvironment, string> = {
  preview: PREVIEW_STAGE_PATTERN,
  staging: "staging",
  production: "production",
};

/** Stages whose state and secrets a role must never reach (the shared ones that are not its own). */
const OTHER_SHARED_STAGES: Record<DeployEnvironment, string[]> = {
  preview: ["staging", "production"],
  staging: ["production"],
  production: ["staging"],
};

/** The name every resource SST names for the environment's stages starts with: `retainwise-pr-`, `retainwise-staging-`. */
export const namePrefix = (environment: DeployEnvironment) =>
  `${APP}-${STAGE_PATTERN[environment].replace(/\*$/, "")}${environment === "preview" ? "" : "-"}`;

/** Where SST keeps a stage's state: `<kind>/<app>/<stage>…` keys in the `sst-state-*` bucket, the passphrase and our parameters in SSM. */
const stateOf = (stage: string, account: string) => [
  `arn:aws:s3:::sst-state-*/*/${APP}/${stage}*`,
  `arn:aws:ssm:*:${account}:parameter/sst/passphrase/${APP}/${stage}`,
  `arn:aws:ssm:*:${account}:parameter/sst/${APP}/${stage}/*`,
];

export const deployRoleName = (environment: DeployEnvironment) => `retainwise-ci-deploy-${environment}`;

/**
 * The claims GitHub composes this repository's token `sub` from: its OIDC subject template, which
 * infra/ci sets (infra/ci/oidc-subject.mjs) before the roles that rely on it. With `ref` in it, a
 * job's subject names the branch as well as the environment, so the staging and production roles
 * trust only `main` even if an environment's branch rule is misconfigured; a repository whose
 * template is reset to GitHub's default issues subjects no role trusts (fails closed).
 */
export const OIDC_SUBJECT_CLAIM_KEYS = ["repo", "context", "ref"] as const;
/** The only ref staging and production deploy from, and the only workflow file that may deploy them. */
export const RELEASE_REF = "refs/heads/main";
export const RELEASE_WORKFLOW = ".github/workflows/deploy.yml";
/** A pull_request event's ref (preview.yml's jobs): GitHub's merge ref of the pull request. */
const PULL_REQUEST_REF = "refs/pull/*/merge";
/** The `sub` GitHub issues under {@link OIDC_SUBJECT_CLAIM_KEYS} to a job in `environment` running on `ref`. */
const subjectOf = (repository: string, environment: DeployEnvironment, ref: string) =>
  `repo:${repository}:environment:${environment}:ref:${ref}`;
/** Refs each role trusts: preview, pull requests and `main` (the daily sweep); staging and production, `main` only. */
const TRUSTED_REFS: Record<DeployEnvironment, string[]> = {
  preview: [PULL_REQUEST_REF, RELEASE_REF],
  staging: [RELEASE_REF],
  production: [RELEASE_REF],
};
export const boundaryArn = (account: string) => `arn:aws:iam::${account}:policy${CI_PATH}${BOUNDARY_POLICY_NAME}`;
export const POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess";

export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}
export interface TrustDocument {
  Version: "2012-10-17";
  Statement: {
    Effect: "Allow";
    Principal: { Federated: string };
    Action: "sts:AssumeRoleWithWebIdentity";
    Condition: Record<string, Record<string, string | string[]>>;
  }[];
}
/** A customer managed policy of a deploy role: named `<role>-<part>`, kept under CI_PATH. */
export interface DeployPolicy {
  name: string;
  document: PolicyDocument;
}
export interface DeployRoleDocuments {
  name: string;
  trust: TrustDocument;
  /** AWS managed policies attached to the role. */
  awsManaged: string[];
  /** Its own statements, as customer managed policies; the role has no inline policy. */
  policies: DeployPolicy[];
}
export interface CiPolicies {
  boundary: PolicyDocument;
  roles: Record<DeployEnvironment, DeployRoleDocuments>;
}

export function ciPolicies(input: { account: string; repository: string; oidcProviderArn: string }): CiPolicies {
  const { account, repository, oidcProviderArn } = input;
  const roles = Object.fromEntries(
    DEPLOY_ENVIRONMENTS.map((environment) => [
      environment,
      {
        name: deployRoleName(environment),
        trust: trustFor(environment, repository, oidcProviderArn),
        awsManaged: environment === "preview" ? [] : [POWER_USER],
        policies: deployPolicyParts(environment).map(({ name, statements }) => ({
          name,
          document: { Version: "2012-10-17", Statement: statements(account) },
        })),
      },
    ]),
  ) as Record<DeployEnvironment, DeployRoleDocuments>;
  return { boundary: boundary(), roles };
}

/**
 * Each role's customer managed policies by name, known before the account is (infra/ci creates one
 * resource per part): what every role carries, then the preview's allow-list in three.
 */
export function deployPolicyParts(
  environment: DeployEnvironment,
): { name: string; statements: (account: string) => Statement[] }[] {
  const part = (suffix: string, statements: (account: string) => Statement[]) => ({
    name: `${deployRoleName(environment)}-${suffix}`,
    statements,
  });
  return [
    part("guardrails", (account) => guardrails(environment, account)),
    part("stage-roles", (account) => stageRoles(environment, account)),
    ...(environment === "preview"
      ? [part("create", previewCreate), part("change", previewChange), part("state-and-images", previewState)]
      : []),
  ];
}

/**
 * Only this repository's jobs in the role's own environment, on a ref it trusts (the `sub` under
 * {@link OIDC_SUBJECT_CLAIM_KEYS}). Staging and production also pin the workflow file by the
 * `job_workflow_ref` claim, which AWS STS has evaluated as a condition key since January 2026: a
 * check that holds whatever the repository's subject template says.
 */
function trustFor(environment: DeployEnvironment, repository: string, oidcProviderArn: string): TrustDocument {
  const subjects = TRUSTED_REFS[environment].map((ref) => subjectOf(repository, environment, ref));
  const audience = { [`${GITHUB_OIDC}:aud`]: "sts.amazonaws.com" };
  const Condition: TrustDocument["Statement"][number]["Condition"] =
    environment === "preview"
      ? { StringEquals: audience, StringLike: { [`${GITHUB_OIDC}:sub`]: subjects } }
      : {
          StringEquals: {
            ...audience,
            [`${GITHUB_OIDC}:sub`]: subjects[0]!,
            [`${GITHUB_OIDC}:job_workflow_ref`]: `${repository}/${RELEASE_WORKFLOW}@${RELEASE_REF}`,
          },
        };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition,
      },
    ],
  };
}

/**
 * The most any role a deploy creates can ever do, and only on its own stage: what the task and
 * execution roles need (infra/access.ts; AmazonECSTaskExecutionRolePolicy: ECR pulls, logs) and
 * nothing of IAM, STS role chaining or organisations, whatever policy is attached to it. Queues,
 * buckets and parameters by the `retainwise-<stage>-` name of the role's own `sst:stage` tag,
 * secrets by that tag: a preview that attaches AdministratorAccess to its own role and passes it
 * to a task still reads nothing of production's. A role without the tag gets none of them (the
 * variable does not resolve), and CI roles may create roles only tagged with their stage.
 */
const OWN_STAGE = "${aws:PrincipalTag/sst:stage}";
function boundary(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnStageQueues",
        Effect: "Allow",
        Action: [
          "sqs:SendMessage",
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes",
        ],
        Resource: [`arn:aws:sqs:*:*:${APP}-${OWN_STAGE}-*`],
      },
      {
        Sid: "OwnStageBuckets",
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListBucket",
          "s3:ListBucketMultipartUploads",
        ],
        Resource: [`arn:aws:s3:::${APP}-${OWN_STAGE}-*`],
      },
      {
        Sid: "OwnStageParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameters"],
        Resource: [`arn:aws:ssm:*:*:parameter/sst/${APP}/${OWN_STAGE}/*`],
      },
      {
        Sid: "OwnStageSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: ["*"],
        Condition: { StringEquals: { "aws:ResourceTag/sst:stage": OWN_STAGE } },
      },
      {
        Sid: "TaskRuntime",
        Effect: "Allow",
        Action: [
          "ecs:UpdateTaskProtection",
          "ecs:GetTaskProtection",
          "ecr:GetAuthorizationToken",
          "ecr:BatchCheckLayerAvailability",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchGetImage",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          // ECS Exec for operators (docs/DEPLOY.md, "The first API key"); the CI roles themselves may not start a session.
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: ["*"],
      },
      {
        Sid: "NeverIam",
        Effect: "Deny",
        Action: ["iam:*", "sts:AssumeRole", "organizations:*", "account:*"],
        Resource: ["*"],
      },
    ],
  };
}

/** Denies every CI role carries: they win over any Allow, PowerUserAccess's included. */
function guardrails(environment: DeployEnvironment, account: string): Statement[] {
  const ci = [
    `arn:aws:iam::${account}:role${CI_PATH}*`,
    `arn:aws:iam::${account}:policy${CI_PATH}*`,
    `arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC}`,
  ];
  const withBoundary = { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn(account) } };
  const ownStages = environment === "preview" ? [PREVIEW_STAGE_PATTERN, SHARED_STAGE] : [STAGE_PATTERN[environment]];
  return [
    { Sid: "DenyTouchingCiRolesAndBoundary", Effect: "Deny", Action: ["iam:*"], Resource: ci },
    {
      Sid: "DenyRemovingBoundaries",
      Effect: "Deny",
      Action: [
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary",
        "iam:PutUserPermissionsBoundary",
      ],
      Resource: ["*"],
    },
    {
      Sid: "DenyOtherBoundaries",
      Effect: "Deny",
      Action: ["iam:PutRolePermissionsBoundary"],
      Resource: ["*"],
      Condition: withBoundary,
    },
    {
      Sid: "DenyRolesWithoutBoundary",
      Effect: "Deny",
      Action: ["iam:CreateRole"],
      Resource: ["*"],
      Condition: withBoundary,
    },
    {
      Sid: "DenyIdentitiesAndPolicies",
      Effect: "Deny",
      Action: [
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:CreateGroup",
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:CreateInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:CreateOpenIDConnectProvider",
        "iam:CreateSAMLProvider",
      ],
      Resource: ["*"],
    },
    // A shell in a task, or a role of the account that trusts the account itself (PowerUserAccess allows sts:*).
    {
      Sid: "DenyShellsAndRoleChaining",
      Effect: "Deny",
      Action: ["ecs:ExecuteCommand", "ssm:StartSession", "ssm:SendCommand", "ssmmessages:*", "sts:AssumeRole"],
      Resource: ["*"],
    },
    // A resource tagged with another stage (production's database, staging's secret) is out of reach, reads included.
    {
      Sid: "DenyOtherStagesResources",
      Effect: "Deny",
      Action: ["*"],
      Resource: ["*"],
      Condition: {
        Null: { "aws:ResourceTag/sst:stage": "false" },
        StringNotLike: { "aws:ResourceTag/sst:stage": ownStages },
      },
    },
    {
      Sid: "DenyTaggingForOtherStages",
      Effect: "Deny",
      Action: ["*"],
      Resource: ["*"],
      Condition: {
        Null: { "aws:RequestTag/sst:stage": "false" },
        StringNotLike: { "aws:RequestTag/sst:stage": [STAGE_PATTERN[environment]] },
      },
    },
    // SST's state (Pulumi checkpoints, `sst secret` values) and passphrases of the other shared stages: untagged, so by name.
    {
      Sid: "DenyOtherStagesState",
      Effect: "Deny",
      Action: ["s3:*", "ssm:*"],
      Resource: OTHER_SHARED_STAGES[environment].flatMap((stage) => stateOf(stage, account)),
    },
  ];
}

/** IAM on the stage's own app roles only; creating one, or setting its boundary, requires ours. */
function stageRoles(environment: DeployEnvironment, account: string): Statement[] {
  const ownRoles = [`arn:aws:iam::${account}:role/${namePrefix(environment)}*`];
  return [
    {
      Sid: "CreateStageRolesWithBoundary",
      Effect: "Allow",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
      Resource: ownRoles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": boundaryArn(account) } },
    },
    // Every role created carries its stage's tag: the boundary scopes the role's data access by it.
    {
      Sid: "DenyUntaggedRoles",
      Effect: "Deny",
      Action: ["iam:CreateRole"],
      Resource: ["*"],
      Condition: { StringNotLike: { "aws:RequestTag/sst:stage": STAGE_PATTERN[environment] } },
    },
    {
      Sid: "ManageStageRoles",
      Effect: "Allow",
      Action: [
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListRolePolicies",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
      Resource: ownRoles,
    },
    {
      Sid: "PassStageRolesToEcsTasks",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: ownRoles,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    {
      Sid: "ServiceLinkedRoles",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: [`arn:aws:iam::${account}:role/aws-service-role/*`],
      Condition: {
        StringEquals: {
          "iam:AWSServiceName": [
            "ecs.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "rds.amazonaws.com",
            "ecs.application-autoscaling.amazonaws.com",
          ],
        },
      },
    },
  ];
}

/** `service:TagResource`-like actions allowed only as part of one of `creating` (the service's `CreateAction` key). */
function tagOnCreate(service: string, actions: string[], creating: string[]): Statement {
  const sid = `TagOnCreate${service
    .split(/[^a-z0-9]/i)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("")}`;
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: ["*"],
    Condition: { ...CREATING_PREVIEW, StringEquals: { [`${service}:CreateAction`]: creating } },
  };
}

/** Tagged by SST's provider on create: `aws:RequestTag`; afterwards: `aws:ResourceTag`. */
const CREATING_PREVIEW = { StringLike: { "aws:RequestTag/sst:stage": PREVIEW_STAGE_PATTERN } };
const TAGGED_PREVIEW = { StringLike: { "aws:ResourceTag/sst:stage": PREVIEW_STAGE_PATTERN } };

/**
 * What a `pr-*` stage deploys (infra/*.ts on the shared VPC and cluster, so no VPC of its own), and
 * nothing else: every write is conditioned on the `sst:stage` tag or the `retainwise-pr-` name.
 * Reads are metadata only (Describe/List); data reads only of the preview's own resources.
 * In three parts, one managed policy each: reading and creating, changing what it created, and
 * its buckets, queues, parameters, SST's state and the image.
 */
function previewCreate(account: string): Statement[] {
  return [
    {
      Sid: "ReadMetadata",
      Effect: "Allow",
      Action: [
        "sts:GetCallerIdentity",
        "tag:GetResources",
        "ec2:Describe*",
        "elasticloadbalancing:Describe*",
        "ecs:Describe*",
        "ecs:List*",
        "rds:Describe*",
        "rds:ListTagsForResource",
        "servicediscovery:Get*",
        "servicediscovery:List*",
        "application-autoscaling:Describe*",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource",
        "logs:Describe*",
        "logs:ListTags*",
        "sns:GetTopicAttributes",
        "sns:GetSubscriptionAttributes",
        "sns:List*",
        "sqs:ListQueues",
        "ssm:DescribeParameters",
        "secretsmanager:DescribeSecret",
        "secretsmanager:ListSecrets",
        "cloudfront:GetDistribution*",
        "cloudfront:List*",
        "s3:ListAllMyBuckets",
        "ecr:GetAuthorizationToken",
        "ecr:Describe*",
      ],
      Resource: ["*"],
    },
    {
      Sid: "CreatePreviewTagged",
      Effect: "Allow",
      Action: [
        "ec2:CreateSecurityGroup",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateRule",
        "ecs:CreateService",
        "ecs:RegisterTaskDefinition",
        "rds:CreateDBInstance",
        "rds:CreateDBParameterGroup",
        "rds:CreateDBSubnetGroup",
        "servicediscovery:CreateService",
        "servicediscovery:TagResource",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:TagResource",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:TagResource",
        "logs:CreateLogGroup",
        "sns:CreateTopic",
        "sns:TagResource",
        "secretsmanager:CreateSecret",
        "secretsmanager:TagResource",
        "cloudfront:CreateDistribution",
        "cloudfront:CreateDistributionWithTags",
        "cloudfront:TagResource",
        "events:PutRule",
        "events:TagResource",
      ],
      Resource: ["*"],
      Condition: CREATING_PREVIEW,
    },
    // Tagging an existing, untagged resource `pr-*` would make it the preview's (ChangePreviewTagged): where
    // IAM can tell tag-on-create apart (a CreateAction key, or a name the preview's resources all have), only that.
    tagOnCreate("ec2", ["ec2:CreateTags"], ["CreateSecurityGroup"]),
    tagOnCreate(
      "elasticloadbalancing",
      ["elasticloadbalancing:AddTags"],
      ["CreateLoadBalancer", "CreateTargetGroup", "CreateListener", "CreateRule"],
    ),
    tagOnCreate("ecs", ["ecs:TagResource"], ["CreateService", "RegisterTaskDefinition", "RunTask"]),
    {
      Sid: "TagPreviewNamedOnCreate",
      Effect: "Allow",
      Action: ["rds:AddTagsToResource", "logs:TagResource", "logs:TagLogGroup"],
      Resource: [
        `arn:aws:rds:*:${account}:*:${namePrefix("preview")}*`,
        `arn:aws:logs:*:${account}:log-group:/sst/cluster/${SHARED_CLUSTER_NAME}/${namePrefix("preview")}*`,
      ],
      Condition: CREATING_PREVIEW,
    },
  ];
}

function previewChange(account: string): Statement[] {
  return [
    {
      Sid: "ChangePreviewTagged",
      Effect: "Allow",
      Action: [
        "ec2:AuthorizeSecurityGroup*",
        "ec2:RevokeSecurityGroup*",
        "ec2:ModifySecurityGroupRules",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        // Wildcards within a service (`*TagResource`: Tag and Untag) are held to the preview's tagged
        // resources like every action here.
        "elasticloadbalancing:Delete*",
        "elasticloadbalancing:Modify*",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
        "ecs:UpdateService",
        "ecs:DeleteService",
        "ecs:DeregisterTaskDefinition",
        "ecs:DeleteTaskDefinitions",
        "ecs:*TagResource",
        // The deploy's Migrate task (infra/migrate.ts, scripts/run-ecs-task.sh): run from the preview's task definition, tagged from it, stopped on a timeout, its log's end read on failure.
        "ecs:RunTask",
        "ecs:StopTask",
        "logs:GetLogEvents",
        "rds:ModifyDB*",
        "rds:DeleteDB*",
        "rds:RebootDBInstance",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
        "servicediscovery:UpdateService",
        "servicediscovery:DeleteService",
        "servicediscovery:*TagResource",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:*TagResource",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:*TagResource",
        "logs:PutRetentionPolicy",
        "logs:DeleteLogGroup",
        "logs:*TagResource",
        "sns:SetTopicAttributes",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:*TagResource",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:*TagResource",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:*TagResource",
        "events:PutRule",
        "events:DeleteRule",
        "events:DescribeRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:ListTargetsByRule",
        "events:ListTagsForResource",
        "events:*TagResource",
      ],
      Resource: ["*"],
      Condition: TAGGED_PREVIEW,
    },
    // Shared VPC and cluster (stage `shared`): security groups and services are created in them, nothing about them changes.
    {
      Sid: "UseSharedNetwork",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup", "ecs:CreateService"],
      Resource: [`arn:aws:ec2:*:${account}:vpc/*`, `arn:aws:ecs:*:${account}:cluster/${SHARED_CLUSTER_NAME}`],
      Condition: { StringEquals: { "aws:ResourceTag/sst:stage": SHARED_STAGE } },
    },
  ];
}

function previewState(account: string): Statement[] {
  return [
    // S3 and SQS by name: SST names them retainwise-pr-<n>-…; S3 may not tag on create.
    {
      Sid: "PreviewBucketsAndQueues",
      Effect: "Allow",
      Action: ["s3:*", "sqs:*"],
      Resource: [`arn:aws:s3:::${namePrefix("preview")}*`, `arn:aws:sqs:*:${account}:${namePrefix("preview")}*`],
    },
    {
      Sid: "PreviewParameters",
      Effect: "Allow",
      Action: [
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:PutParameter",
        "ssm:DeleteParameter",
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:ListTagsForResource",
      ],
      Resource: [
        `arn:aws:ssm:*:${account}:parameter/sst/${APP}/${PREVIEW_STAGE_PATTERN}`,
        `arn:aws:ssm:*:${account}:parameter/sst/passphrase/${APP}/${PREVIEW_STAGE_PATTERN}`,
      ],
    },
    // SST's bootstrap record and buckets: the state keys of pr-* stages only; assets are content-addressed.
    {
      Sid: "SstBootstrapRead",
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      Resource: [
        `arn:aws:ssm:*:${account}:parameter/sst/bootstrap`,
        `arn:aws:ssm:*:${account}:parameter/sst/bootstrap/*`,
      ],
    },
    {
      Sid: "SstStateOfPreviews",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: [`arn:aws:s3:::sst-state-*/*/${APP}/${PREVIEW_STAGE_PATTERN}`],
    },
    {
      Sid: "SstBuckets",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation"],
      Resource: ["arn:aws:s3:::sst-state-*", "arn:aws:s3:::sst-asset-*"],
    },
    {
      Sid: "SstAssets",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: ["arn:aws:s3:::sst-asset-*/*"],
    },
    // The image: pushed to SST's `sst-asset` repository; task definitions pin it by digest, so a tag a preview overwrites moves no other stage.
    {
      Sid: "PushImages",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ],
      Resource: [`arn:aws:ecr:*:${account}:repository/sst-asset`],
    },
  ];
}
