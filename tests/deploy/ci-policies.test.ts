import { describe, expect, it } from "vitest";
import { NETWORK_STAGE, SHARED_CLUSTER_NAME as STAGES_SHARED_CLUSTER_NAME } from "../../stacks/stages.ts";
import {
  boundaryArn,
  CI_PATH,
  ciPolicies,
  SHARED_CLUSTER_NAME,
  SHARED_STAGE,
  DEPLOY_ENVIRONMENTS,
  deployRoleName,
  GITHUB_OIDC,
  OIDC_SUBJECT_CLAIM_KEYS,
  type DeployEnvironment,
  type DeployRoleDocuments,
} from "../../infra/ci/policies.ts";
import { allowingStatements, isAllowed, POWER_USER_ACCESS, type EvalStatement, type Request } from "./iam-evaluate.ts";
import { IAM_LIMITS, iamPolicySize } from "./iam-limits.ts";

/**
 * The CI deploy roles (infra/ci/policies.ts), rule by rule, through a small IAM evaluator: each
 * escalation a pull request's preview job (or a staging job) could try is asked of the policies
 * and must be refused; what a deploy of its own stage needs must be allowed.
 */
const ACCOUNT = "123456789012";
const REPOSITORY = "retainwise/retainwise";
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC}`;
const documents = ciPolicies({ account: ACCOUNT, repository: REPOSITORY, oidcProviderArn: OIDC });
const BOUNDARY = boundaryArn(ACCOUNT);
const ciRoleArn = (environment: DeployEnvironment) =>
  `arn:aws:iam::${ACCOUNT}:role/retainwise-ci/${deployRoleName(environment)}`;

/** What the role may do: its own managed policies and AWS's (PowerUserAccess is the only one used). */
function effective(role: DeployRoleDocuments): EvalStatement[] {
  for (const arn of role.awsManaged)
    expect(arn, "a managed policy the evaluator does not model").toBe("arn:aws:iam::aws:policy/PowerUserAccess");
  return [
    ...role.policies.flatMap((p) => p.document.Statement),
    ...(role.awsManaged.length > 0 ? POWER_USER_ACCESS : []),
  ];
}
const ownPolicyArns = (environment: DeployEnvironment) =>
  documents.roles[environment].policies.map((p) => `arn:aws:iam::${ACCOUNT}:policy${CI_PATH}${p.name}`);

const tagged = (stage: string) => ({ "aws:ResourceTag/sst:stage": stage });
const creating = (stage: string) => ({ "aws:RequestTag/sst:stage": stage });

/** Requests that would let the role's holder become more than a deployer of its own stage. */
function escalations(environment: DeployEnvironment, other: string): Request[] {
  const ownRole = `arn:aws:iam::${ACCOUNT}:role/retainwise-${environment === "preview" ? "pr-42" : environment}-ApiTaskRole-abcdefgh`;
  const otherRole = `arn:aws:iam::${ACCOUNT}:role/retainwise-${other}-ApiTaskRole-abcdefgh`;
  const onCiRoles = DEPLOY_ENVIRONMENTS.flatMap((e) =>
    [
      "iam:PutRolePolicy",
      "iam:AttachRolePolicy",
      "iam:UpdateAssumeRolePolicy",
      "iam:PassRole",
      "iam:DeleteRolePermissionsBoundary",
      "iam:PutRolePermissionsBoundary",
      "iam:DeleteRole",
      "iam:TagRole",
      "iam:DetachRolePolicy",
    ].map((action) => ({ action, resource: ciRoleArn(e) })),
  );
  return [
    ...onCiRoles,
    ...[
      "iam:CreatePolicyVersion",
      "iam:SetDefaultPolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:TagPolicy",
    ].flatMap((action) =>
      [BOUNDARY, ...DEPLOY_ENVIRONMENTS.flatMap(ownPolicyArns)].map((resource) => ({ action, resource })),
    ),
    { action: "iam:UpdateOpenIDConnectProviderThumbprint", resource: OIDC },
    { action: "iam:AddClientIDToOpenIDConnectProvider", resource: OIDC },
    // A role of its own stage, but without the boundary, with another one, or with it removed.
    { action: "iam:CreateRole", resource: ownRole },
    {
      action: "iam:CreateRole",
      resource: ownRole,
      context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
    },
    {
      action: "iam:PutRolePermissionsBoundary",
      resource: ownRole,
      context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
    },
    { action: "iam:DeleteRolePermissionsBoundary", resource: ownRole },
    { action: "iam:PassRole", resource: ownRole, context: { "iam:PassedToService": "ec2.amazonaws.com" } },
    { action: "iam:PassRole", resource: ownRole, context: { "iam:PassedToService": "lambda.amazonaws.com" } },
    // Another stage's roles, and identities of its own.
    ...["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole"].map((action) => ({
      action,
      resource: otherRole,
      context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
    })),
    ...[
      "iam:CreateUser",
      "iam:CreateAccessKey",
      "iam:CreatePolicy",
      "iam:CreateOpenIDConnectProvider",
      "iam:CreateInstanceProfile",
    ].map((action) => ({ action, resource: `arn:aws:iam::${ACCOUNT}:user/retainwise-x` })),
    // A shell in a task (the database password is in its environment).
    {
      action: "ecs:ExecuteCommand",
      resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/retainwise-production-ClusterCluster-abcdefgh/0123`,
    },
    {
      action: "ecs:ExecuteCommand",
      resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/retainwise-production-ClusterCluster-abcdefgh`,
    },
    { action: "ssm:StartSession", resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/x/0123` },
    // Chaining into any other role of the account (one that trusts the account itself, say an admin's).
    { action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/AdminForOperators` },
    { action: "sts:AssumeRole", resource: ownRole },
    // Another stage's resources, tagged by SST, and its state.
    {
      action: "rds:DeleteDBInstance",
      resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:retainwise-${other}-databaseinstance-abcdefgh`,
      context: tagged(other),
    },
    {
      action: "secretsmanager:GetSecretValue",
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:retainwise-${other}-DatabaseProxySecret-abc`,
      context: tagged(other),
    },
    {
      action: "ecs:UpdateService",
      resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/retainwise-${other}-ClusterCluster-abcdefgh/Api`,
      context: tagged(other),
    },
    {
      action: "sqs:CreateQueue",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:retainwise-x-Queue`,
      context: creating(other),
    },
    { action: "s3:GetObject", resource: `arn:aws:s3:::sst-state-abcdef/app/retainwise/${other}.json` },
    { action: "s3:PutObject", resource: `arn:aws:s3:::sst-state-abcdef/lock/retainwise/${other}.json` },
    {
      action: "ssm:GetParameter",
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sst/passphrase/retainwise/${other}`,
    },
    {
      action: "ssm:GetParameters",
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sst/retainwise/${other}/DownloadSigningKey`,
    },
  ];
}

/** What each role's own deploy needs (a sample per statement family; a refusal here is a broken deploy). */
function ownDeploy(environment: DeployEnvironment): Request[] {
  const stage = environment === "preview" ? "pr-42" : environment;
  const role = `arn:aws:iam::${ACCOUNT}:role/retainwise-${stage}-ApiTaskRole-abcdefgh`;
  return [
    { action: "iam:CreateRole", resource: role, context: { "iam:PermissionsBoundary": BOUNDARY, ...creating(stage) } },
    { action: "iam:PutRolePolicy", resource: role },
    { action: "iam:AttachRolePolicy", resource: role },
    { action: "iam:PassRole", resource: role, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    {
      action: "iam:CreateServiceLinkedRole",
      resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      context: { "iam:AWSServiceName": "ecs.amazonaws.com" },
    },
    {
      action: "rds:CreateDBInstance",
      resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:retainwise-${stage}-databaseinstance-abcdefgh`,
      context: creating(stage),
    },
    {
      action: "rds:ModifyDBInstance",
      resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:retainwise-${stage}-databaseinstance-abcdefgh`,
      context: tagged(stage),
    },
    {
      action: "secretsmanager:GetSecretValue",
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:retainwise-${stage}-DatabaseProxySecret-abc`,
      context: tagged(stage),
    },
    {
      action: "ecs:CreateService",
      resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/retainwise-shared/retainwise-${stage}-Api`,
      context: creating(stage),
    },
    { action: "ecs:RegisterTaskDefinition", resource: "*", context: creating(stage) },
    {
      action: "elasticloadbalancing:CreateLoadBalancer",
      resource: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/ApiLoadBalancer-abcdefgh/1`,
      context: creating(stage),
    },
    { action: "s3:CreateBucket", resource: `arn:aws:s3:::retainwise-${stage}-uploadsbucket-abcdefgh` },
    { action: "sqs:CreateQueue", resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:retainwise-${stage}-JobsQueue-abcdefgh` },
    {
      action: "ssm:PutParameter",
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sst/retainwise/${stage}/DownloadSigningKey`,
    },
    {
      action: "ssm:GetParameter",
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sst/passphrase/retainwise/${stage}`,
    },
    { action: "ssm:GetParameter", resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sst/bootstrap` },
    { action: "s3:PutObject", resource: `arn:aws:s3:::sst-state-abcdef/app/retainwise/${stage}.json` },
    { action: "ecr:PutImage", resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/sst-asset` },
    { action: "ec2:DescribeVpcs", resource: "*" },
    {
      action: "events:PutRule",
      resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/retainwise-${stage}-EcsDeploymentFailed`,
      context: creating(stage),
    },
    {
      action: "events:PutTargets",
      resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/retainwise-${stage}-EcsDeploymentFailed`,
      context: tagged(stage),
    },
    {
      action: "sns:SetTopicAttributes",
      resource: `arn:aws:sns:us-east-1:${ACCOUNT}:retainwise-${stage}-Alarms`,
      context: tagged(stage),
    },
    { action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::retainwise-${stage}-logs-abc` },
    // Tags on what it creates, authorised as part of the create call.
    {
      action: "ec2:CreateTags",
      resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-new`,
      context: { ...creating(stage), "ec2:CreateAction": "CreateSecurityGroup" },
    },
    {
      action: "elasticloadbalancing:AddTags",
      resource: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/ApiLoadBalancer-abcdefgh/1`,
      context: { ...creating(stage), "elasticloadbalancing:CreateAction": "CreateLoadBalancer" },
    },
    {
      action: "ecs:TagResource",
      resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/retainwise-shared/0123`,
      context: { ...creating(stage), "ecs:CreateAction": "RunTask" },
    },
    {
      action: "rds:AddTagsToResource",
      resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:retainwise-${stage}-databaseinstance-abcdefgh`,
      context: creating(stage),
    },
    {
      action: "logs:TagResource",
      resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/sst/cluster/retainwise-shared/retainwise-${stage}-Api-abcdefgh/Api`,
      context: creating(stage),
    },
  ];
}

const OTHER: Record<DeployEnvironment, string[]> = {
  preview: ["staging", "production"],
  staging: ["production"],
  production: ["staging"],
};

describe("the CI deploy roles (infra/ci/policies.ts)", () => {
  it("name the same shared stage and cluster as stacks/stages.ts", () => {
    expect(SHARED_STAGE).toBe(NETWORK_STAGE);
    expect(SHARED_CLUSTER_NAME).toBe(STAGES_SHARED_CLUSTER_NAME);
  });

  it("are one per GitHub environment, named for it, on GitHub's OIDC provider and STS's audience", () => {
    expect(Object.keys(documents.roles)).toEqual(["preview", "staging", "production"]);
    for (const environment of DEPLOY_ENVIRONMENTS) {
      const { trust, name } = documents.roles[environment];
      expect(name).toBe(`retainwise-ci-deploy-${environment}`);
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0]).toMatchObject({
        Effect: "Allow",
        Principal: { Federated: OIDC },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GITHUB_OIDC}:aud`]: "sts.amazonaws.com" } },
      });
    }
  });

  describe("trust only tokens of their own environment, on the refs it deploys from", () => {
    /** A job's token as GitHub issues it: `sub` composed from the repository's subject template's claim keys. */
    interface Job {
      repository?: string;
      environment: string;
      ref: string;
      workflow?: string;
      template?: readonly string[];
    }
    function token({ repository = REPOSITORY, environment, ref, workflow = "deploy.yml", template }: Job) {
      const claims: Record<string, string> = { repo: repository, environment, ref };
      // GitHub's composition: `repo:<repository>`, `context` is `environment:<name>` for an environment's job, any other key `<key>:<value>`.
      const sub = template
        ? template
            .map((key) =>
              key === "repo"
                ? `repo:${repository}`
                : key === "context"
                  ? `environment:${environment}`
                  : `${key}:${claims[key]}`,
            )
            .join(":")
        : `repo:${repository}:environment:${environment}`;
      return {
        [`${GITHUB_OIDC}:aud`]: "sts.amazonaws.com",
        [`${GITHUB_OIDC}:sub`]: sub,
        [`${GITHUB_OIDC}:ref`]: ref,
        [`${GITHUB_OIDC}:job_workflow_ref`]: `${repository}/.github/workflows/${workflow}@${ref}`,
      };
    }
    const configured = (job: Omit<Job, "template">) => token({ ...job, template: OIDC_SUBJECT_CLAIM_KEYS });
    const trusts = (environment: DeployEnvironment, context: Record<string, string>) =>
      isAllowed(
        documents.roles[environment].trust.Statement.map((s) => ({ ...s, Resource: "*" })),
        { action: "sts:AssumeRoleWithWebIdentity", resource: "*", context },
      );
    const whoTrusts = (context: Record<string, string>) => DEPLOY_ENVIRONMENTS.filter((e) => trusts(e, context));

    it("staging and production: a job of deploy.yml on main in that environment, nothing else", () => {
      for (const environment of ["staging", "production"] as const) {
        expect(whoTrusts(configured({ environment, ref: "refs/heads/main" }))).toEqual([environment]);
        // The environment's branch rule misconfigured (or a pushed branch's workflow naming it): refused all the same.
        expect(whoTrusts(configured({ environment, ref: "refs/heads/feature" }))).toEqual([]);
        expect(whoTrusts(configured({ environment, ref: "refs/tags/v1.0.0" }))).toEqual([]);
        expect(whoTrusts(configured({ environment, ref: "refs/pull/7/merge" }))).toEqual([]);
        // Another workflow file on main that names the environment.
        expect(whoTrusts(configured({ environment, ref: "refs/heads/main", workflow: "other.yml" }))).toEqual([]);
        expect(
          whoTrusts(configured({ environment, ref: "refs/heads/main", repository: "someone/retainwise" })),
        ).toEqual([]);
      }
    });

    it("preview: pull requests' jobs and the sweep on main, in the preview environment only", () => {
      expect(
        whoTrusts(configured({ environment: "preview", ref: "refs/pull/42/merge", workflow: "preview.yml" })),
      ).toEqual(["preview"]);
      expect(
        whoTrusts(configured({ environment: "preview", ref: "refs/heads/main", workflow: "sweep-previews.yml" })),
      ).toEqual(["preview"]);
      expect(whoTrusts(configured({ environment: "preview", ref: "refs/heads/feature" }))).toEqual([]);
      expect(whoTrusts(configured({ environment: "other", ref: "refs/pull/42/merge" }))).toEqual([]);
    });

    it("fail closed when the repository's subject template is GitHub's default (no ref in sub): no role trusts such a token", () => {
      for (const environment of DEPLOY_ENVIRONMENTS)
        expect(whoTrusts(token({ environment, ref: "refs/heads/main" }))).toEqual([]);
    });

    it("ask for the ref in every subject: the template infra/ci sets names the repository, the environment and the ref", () => {
      expect(OIDC_SUBJECT_CLAIM_KEYS).toEqual(["repo", "context", "ref"]);
    });
  });

  for (const environment of DEPLOY_ENVIRONMENTS) {
    for (const other of OTHER[environment]) {
      it(`refuse the ${environment} role every escalation tried against itself, the boundary, ${other} and ECS Exec`, () => {
        const role = effective(documents.roles[environment]);
        const allowed = escalations(environment, other)
          .map((request) => ({ ...request, through: allowingStatements(role, request) }))
          .filter((r) => r.through.length > 0);
        expect(allowed).toEqual([]);
      });
    }

    it(`let the ${environment} role deploy its own stage`, () => {
      const role = effective(documents.roles[environment]);
      expect(ownDeploy(environment).filter((request) => !isAllowed(role, request))).toEqual([]);
    });
  }

  it("confine the preview role to pr-* resources: no VPC of its own, no untagged or other-stage writes, no data reads outside its stage", () => {
    const preview = effective(documents.roles.preview);
    const refused: Request[] = [
      { action: "ec2:CreateVpc", resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/*`, context: creating("pr-42") },
      { action: "ec2:DeleteSecurityGroup", resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1` },
      {
        action: "ec2:DeleteSecurityGroup",
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1`,
        context: tagged("shared"),
      },
      {
        action: "ecs:DeleteCluster",
        resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/retainwise-shared`,
        context: tagged("shared"),
      },
      { action: "rds:DeleteDBInstance", resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:someone-elses` },
      {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::retainwise-production-uploadsbucket-abcdefgh/inputs/customers.csv",
      },
      { action: "s3:DeleteBucket", resource: "arn:aws:s3:::retainwise-staging-uploadsbucket-abcdefgh" },
      {
        action: "sqs:ReceiveMessage",
        resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:retainwise-production-JobsQueue-abcdefgh`,
      },
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:untagged`,
      },
      { action: "ssm:GetParameter", resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/anything` },
      {
        action: "logs:GetLogEvents",
        resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/sst/cluster/x/retainwise-production-Api/Api`,
      },
      { action: "rds:CreateDBInstance", resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:x` },
      {
        action: "ecs:TagResource",
        resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/x/Api`,
        context: { ...tagged("pr-42"), ...creating("production") },
      },
      { action: "cloudfront:CreateInvalidation", resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/E1` },
      { action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z1" },
      { action: "wafv2:DeleteWebACL", resource: `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/x/1` },
      // Adopting an untagged resource made outside SST by tagging it pr-*, after which it would be the preview's.
      {
        action: "ec2:CreateTags",
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-someone-elses`,
        context: creating("pr-42"),
      },
      {
        action: "ec2:CreateTags",
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`,
        context: { ...creating("pr-42"), "ec2:CreateAction": "RunInstances" },
      },
      {
        action: "elasticloadbalancing:AddTags",
        resource: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/someone-elses/1`,
        context: creating("pr-42"),
      },
      {
        action: "ecs:TagResource",
        resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/other-cluster/someone-elses`,
        context: creating("pr-42"),
      },
      {
        action: "rds:AddTagsToResource",
        resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:someone-elses`,
        context: creating("pr-42"),
      },
      {
        action: "logs:TagResource",
        resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/someone-elses`,
        context: creating("pr-42"),
      },
    ];
    expect(refused.filter((request) => isAllowed(preview, request))).toEqual([]);
    // The shared VPC is used, never changed: a security group may be created in it.
    expect(
      isAllowed(preview, {
        action: "ec2:CreateSecurityGroup",
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-1`,
        context: { ...tagged("shared"), ...creating("pr-42") },
      }),
    ).toBe(true);
    expect(documents.roles.preview.awsManaged).toEqual([]);
  });

  it("grant no action wildcard to the preview role except on resources named for pr-* stages", () => {
    for (const statement of documents.roles.preview.policies
      .flatMap((p) => p.document.Statement)
      .filter((s) => s.Effect === "Allow")) {
      const wildcards = statement.Action.filter((a) => a.endsWith(":*") || a === "*");
      if (wildcards.length === 0) continue;
      expect({
        sid: statement.Sid,
        resources: statement.Resource.filter((r) => !r.includes(":retainwise-pr-")),
      }).toEqual({ sid: statement.Sid, resources: [] });
    }
  });

  it("cap every role a deploy creates with a boundary: no IAM, STS role chaining or instances, and data of its own stage only", () => {
    const boundary = documents.boundary.Statement as EvalStatement[];
    const as = (stage: string | undefined, request: Request): Request => ({
      ...request,
      context: { ...request.context, ...(stage ? { "aws:PrincipalTag/sst:stage": stage } : {}) },
    });
    for (const action of [
      "iam:CreateRole",
      "iam:PutRolePolicy",
      "iam:PassRole",
      "sts:AssumeRole",
      "organizations:LeaveOrganization",
      "ecs:ExecuteCommand",
      "ec2:RunInstances",
      "lambda:CreateFunction",
    ]) {
      expect({ action, allowed: isAllowed(boundary, as("pr-42", { action, resource: "*" })) }).toEqual({
        action,
        allowed: false,
      });
    }
    const own: Request[] = [
      {
        action: "sqs:ReceiveMessage",
        resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:retainwise-pr-42-JobsQueue-abcdefgh`,
      },
      { action: "s3:GetObject", resource: "arn:aws:s3:::retainwise-pr-42-uploadsbucket-abcdefgh/inputs/a.csv" },
      {
        action: "ssm:GetParameters",
        resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/sst/retainwise/pr-42/DownloadSigningKey`,
      },
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:x`,
        context: tagged("pr-42"),
      },
      { action: "ecs:UpdateTaskProtection", resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/retainwise-shared/1` },
      { action: "ecr:BatchGetImage", resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/sst-asset` },
    ];
    expect(own.filter((request) => !isAllowed(boundary, as("pr-42", request)))).toEqual([]);
    // A preview's role, whatever is attached to it (say AdministratorAccess), reaches nothing of production's,
    // and a role without its stage tag reaches no stage's data at all.
    const production = own
      .map((r) => ({
        ...r,
        resource: r.resource.replace("pr-42", "production"),
        context: r.context ? tagged("production") : undefined,
      }))
      .slice(0, 4);
    expect(production.filter((request) => isAllowed(boundary, as("pr-42", request)))).toEqual([]);
    expect(own.slice(0, 4).filter((request) => isAllowed(boundary, as(undefined, request)))).toEqual([]);
  });

  it("let no CI role create a role without its own stage's tag", () => {
    for (const environment of DEPLOY_ENVIRONMENTS) {
      const stage = environment === "preview" ? "pr-42" : environment;
      const role = effective(documents.roles[environment]);
      const create = (tag: string | undefined) => ({
        action: "iam:CreateRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/retainwise-${stage}-X`,
        context: { "iam:PermissionsBoundary": BOUNDARY, ...(tag ? creating(tag) : {}) },
      });
      expect(isAllowed(role, create(undefined))).toBe(false);
      expect(isAllowed(role, create("production" === stage ? "staging" : "production"))).toBe(false);
      expect(isAllowed(role, create(stage))).toBe(true);
    }
  });

  it("fit IAM's size quotas as IAM counts them: each managed policy, the managed policies per role, each trust policy, the boundary", () => {
    for (const environment of DEPLOY_ENVIRONMENTS) {
      const role = documents.roles[environment];
      const sizes = Object.fromEntries(role.policies.map((p) => [p.name, iamPolicySize(p.document)]));
      for (const [name, size] of Object.entries(sizes))
        expect({ name, size, fits: size <= IAM_LIMITS.managedPolicyCharacters }).toEqual({ name, size, fits: true });
      expect(role.policies.length + role.awsManaged.length).toBeLessThanOrEqual(IAM_LIMITS.managedPoliciesPerRole);
      expect(iamPolicySize(role.trust)).toBeLessThanOrEqual(IAM_LIMITS.trustPolicyCharacters);
      expect(new Set(role.policies.map((p) => p.name)).size).toBe(role.policies.length);
    }
    expect(iamPolicySize(documents.boundary)).toBeLessThanOrEqual(IAM_LIMITS.managedPolicyCharacters);
  });

  it("the size check counts as IAM does (layout does not count) and would refuse the preview's statements as one policy", () => {
    const preview = { Version: "2012-10-17", Statement: effective(documents.roles.preview) };
    expect(iamPolicySize(JSON.stringify(preview, null, 2))).toBe(JSON.stringify(preview).length);
    // Before: one inline policy of ~10,000 characters, within 3% of the 10,240 a role's inline policies may have together.
    expect(iamPolicySize(preview)).toBeGreaterThan(IAM_LIMITS.managedPolicyCharacters);
  });

  it("the check catches the old role: PowerUserAccess plus IAM on role/retainwise-* lets a preview job rewrite its own role", () => {
    // infra/ci/deploy-role.ts before issue 22: one role for every environment, named retainwise-github-deploy.
    const old: EvalStatement[] = [
      ...POWER_USER_ACCESS,
      {
        Effect: "Allow",
        Action: [
          "iam:CreateRole",
          "iam:PutRolePolicy",
          "iam:AttachRolePolicy",
          "iam:UpdateAssumeRolePolicy",
          "iam:PassRole",
          "iam:DeleteRolePermissionsBoundary",
        ],
        Resource: [`arn:aws:iam::${ACCOUNT}:role/retainwise-*`],
      },
    ];
    const itself = `arn:aws:iam::${ACCOUNT}:role/retainwise-github-deploy`;
    expect(isAllowed(old, { action: "iam:PutRolePolicy", resource: itself })).toBe(true);
    expect(isAllowed(old, { action: "ecs:ExecuteCommand", resource: "arn:aws:ecs:us-east-1:1:task/x/1" })).toBe(true);
    expect(
      escalations("preview", "production").filter((r) =>
        isAllowed(old, {
          ...r,
          resource: r.resource.replace(
            "role/retainwise-ci/retainwise-ci-deploy-preview",
            "role/retainwise-github-deploy",
          ),
        }),
      ).length,
    ).toBeGreaterThan(5);
  });
});
