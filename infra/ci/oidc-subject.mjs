// Sets this repository's GitHub Actions OIDC subject template to the claim keys the CI roles' trust
// policies match (infra/ci/policies.ts, OIDC_SUBJECT_CLAIM_KEYS), then reads it back and fails unless
// GitHub kept exactly that. Run by infra/ci's deploy (the GithubOidcSubject command) with the
// admin's `gh`; by hand:
//   GITHUB_REPOSITORY=owner/repo OIDC_SUBJECT_CLAIM_KEYS='["repo","context","ref"]' node infra/ci/oidc-subject.mjs
import { execFileSync } from "node:child_process";

const repository = process.env.GITHUB_REPOSITORY ?? "";
const keys = JSON.parse(process.env.OIDC_SUBJECT_CLAIM_KEYS ?? "null");
if (!/^[\w.-]+\/[\w.-]+$/.test(repository) || !Array.isArray(keys) || keys.length === 0) {
  console.error(
    "oidc-subject: set GITHUB_REPOSITORY=owner/repo and OIDC_SUBJECT_CLAIM_KEYS to a JSON array of claim keys",
  );
  process.exit(2);
}

const endpoint = `repos/${repository}/actions/oidc/customization/sub`;
const wanted = { use_default: false, include_claim_keys: keys };
const gh = (args, input) =>
  execFileSync("gh", ["api", ...args], { input, encoding: "utf8", stdio: ["pipe", "pipe", "inherit"] });

try {
  gh(["--method", "PUT", endpoint, "--input", "-"], JSON.stringify(wanted));
} catch {
  console.error(`oidc-subject: GitHub refused to set ${endpoint} (gh logged in as an admin of ${repository}?)`);
  process.exit(1);
}
const actual = JSON.parse(gh([endpoint]));
if (actual.use_default !== false || JSON.stringify(actual.include_claim_keys) !== JSON.stringify(keys)) {
  console.error(`oidc-subject: ${endpoint} reads ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`);
  process.exit(1);
}
console.log(`oidc-subject: ${repository}'s tokens carry ${keys.join(", ")} in their sub`);
