/**
 * IAM's size quotas (IAM User Guide, "IAM and AWS STS quotas", default values), and a policy's size
 * as IAM counts it against them: its characters without white space, however the JSON is laid out.
 */
export const IAM_LIMITS = {
  /** One customer managed policy document. */
  managedPolicyCharacters: 6_144,
  /** All inline policies of one role, together. */
  roleInlineCharacters: 10_240,
  /** A role's trust policy (adjustable to 4,096; the default is what a new account has). */
  trustPolicyCharacters: 2_048,
  /** Managed policies attached to one role (adjustable to 20). */
  managedPoliciesPerRole: 10,
} as const;

/** The size IAM counts: a document (or its JSON text) minified, white space not counted. */
export function iamPolicySize(document: string | object): number {
  const text = typeof document === "string" ? document : JSON.stringify(document);
  return JSON.stringify(JSON.parse(text)).replace(/\s/g, "").length;
}
