/**
 * A small IAM policy evaluator for the offline tests: explicit Deny wins, else any matching Allow.
 * Covers what infra/ci/policies.ts uses: Action / NotAction with wildcards, Resource globs, and
 * the String(Not)Equals, String(Not)Like, ArnLike and Null condition operators with AWS's
 * semantics for a missing key (a positive operator fails, a negated one holds), and policy
 * variables (`${aws:PrincipalTag/sst:stage}`) in resources and condition values, from the request's
 * context; a statement whose variable is not in it does not apply. Not a full engine: no IfExists,
 * no NotResource, no session policies.
 */
export interface EvalStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A request: the action, the resource's ARN, and the condition keys it carries (`aws:ResourceTag/sst:stage`, `iam:PermissionsBoundary`, …). */
export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | undefined>;
}

/** AWS's PowerUserAccess (version 5, 2023): everything but IAM, Organizations and Account, plus a few reads and service-linked roles. */
export const POWER_USER_ACCESS: EvalStatement[] = [
  { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
  {
    Effect: "Allow",
    Action: [
      "account:GetAccountInformation",
      "account:GetPrimaryEmail",
      "account:ListRegions",
      "iam:CreateServiceLinkedRole",
      "iam:DeleteServiceLinkedRole",
      "iam:ListRoles",
      "organizations:DescribeEffectivePolicy",
      "organizations:DescribeOrganization",
    ],
    Resource: "*",
  },
];

export function isAllowed(statements: EvalStatement[], request: Request): boolean {
  const matching = statements
    .map((s) => resolve(s, request.context ?? {}))
    .filter((s): s is EvalStatement => !!s && applies(s, request));
  if (matching.some((s) => s.Effect === "Deny")) return false;
  return matching.some((s) => s.Effect === "Allow");
}

/** The statements (by Sid, or index) that allow the request: which Allow an escalation came through. */
export function allowingStatements(statements: EvalStatement[], request: Request): string[] {
  if (!isAllowed(statements, request)) return [];
  return statements
    .map((s, i) => ({ s: resolve(s, request.context ?? {}), i }))
    .filter(({ s }) => s && s.Effect === "Allow" && applies(s, request))
    .map(({ s, i }) => s!.Sid ?? `#${i}`);
}

function applies(statement: EvalStatement, request: Request): boolean {
  return (
    actionMatches(statement, request.action) &&
    list(statement.Resource).some((r) => glob(r, request.resource, false)) &&
    conditionsHold(statement.Condition, request.context ?? {})
  );
}

/** The statement with its policy variables replaced from the context; undefined when one is not there. */
function resolve(statement: EvalStatement, context: Record<string, string | undefined>): EvalStatement | undefined {
  let missing = false;
  const text = JSON.stringify(statement).replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    const value = context[key];
    if (value === undefined) missing = true;
    return value ?? "";
  });
  return missing ? undefined : (JSON.parse(text) as EvalStatement);
}

function actionMatches(statement: EvalStatement, action: string): boolean {
  if (statement.Action !== undefined) return list(statement.Action).some((a) => glob(a, action, true));
  return !list(statement.NotAction ?? []).some((a) => glob(a, action, true));
}

function conditionsHold(condition: EvalStatement["Condition"], context: Record<string, string | undefined>): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      const values = list(expected);
      switch (operator) {
        case "StringEquals":
          return actual !== undefined && values.includes(actual);
        case "StringNotEquals":
          return actual === undefined || !values.includes(actual);
        case "StringLike":
        case "ArnLike":
          return actual !== undefined && values.some((v) => glob(v, actual, false));
        case "StringNotLike":
          return actual === undefined || !values.some((v) => glob(v, actual, false));
        case "Null":
          return values[0] === "true" ? actual === undefined : actual !== undefined;
        default:
          throw new Error(`iam-evaluate does not know the condition operator ${operator}: add it before relying on it`);
      }
    }),
  );
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** IAM's wildcards: `*` any run of characters (slashes and colons included), `?` one. Actions compare case-insensitively. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}
