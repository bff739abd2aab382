import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OIDC_SUBJECT_CLAIM_KEYS } from "../../infra/ci/policies.ts";
import { runCommand } from "../support/run-command.ts";
import { ROOT } from "./sst-platform.ts";

/**
 * infra/ci/oidc-subject.mjs, which infra/ci's deploy runs to set the repository's OIDC subject
 * template, with a stand-in `gh` on PATH that keeps the template as GitHub's endpoint would
 * (`PUT` stores the body, `GET` returns what is stored) and can be told to refuse or to keep
 * something else.
 */
const FAKE_GH = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
const dir = process.env.FAKE_DIR;
fs.appendFileSync(dir + "/gh.log", args.join(" ") + "\\n");
if (args.includes("PUT")) {
  if (process.env.FAKE_REFUSE) { console.error("HTTP 403: Must have admin rights to Repository."); process.exit(1); }
  const body = fs.readFileSync(0, "utf8");
  fs.writeFileSync(dir + "/template.json", process.env.FAKE_KEEPS ?? body);
} else {
  process.stdout.write(fs.existsSync(dir + "/template.json") ? fs.readFileSync(dir + "/template.json", "utf8") : '{"use_default":true}');
}
`;
const REPOSITORY = "retainwise/retainwise";
const ENDPOINT = `repos/${REPOSITORY}/actions/oidc/customization/sub`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-oidc-"));
  await writeFile(join(dir, "gh"), FAKE_GH);
  await chmod(join(dir, "gh"), 0o755);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const run = (env: Record<string, string> = {}) =>
  runCommand("node", [join(ROOT, "infra/ci/oidc-subject.mjs")], {
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      FAKE_DIR: dir,
      GITHUB_REPOSITORY: REPOSITORY,
      OIDC_SUBJECT_CLAIM_KEYS: JSON.stringify(OIDC_SUBJECT_CLAIM_KEYS),
      ...env,
    },
  });

describe("infra/ci/oidc-subject.mjs", () => {
  it("sets the repository's subject template to the trust policies' claim keys and checks GitHub kept it", async () => {
    const result = await run();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(await readFile(join(dir, "template.json"), "utf8"))).toEqual({
      use_default: false,
      include_claim_keys: ["repo", "context", "ref"],
    });
    expect((await readFile(join(dir, "gh.log"), "utf8")).trim().split("\n")).toEqual([
      `api --method PUT ${ENDPOINT} --input -`,
      `api ${ENDPOINT}`,
    ]);
  });

  it("fails, saying why, when GitHub refuses the template (gh not an admin)", async () => {
    const result = await run({ FAKE_REFUSE: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("GitHub refused to set");
  });

  it("fails when the template read back is not the one set (the deploy must not trust subjects GitHub does not issue)", async () => {
    const result = await run({ FAKE_KEEPS: '{"use_default":false,"include_claim_keys":["repo","context"]}' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('reads {"use_default":false,"include_claim_keys":["repo","context"]}');
  });

  it("refuses to run without a repository or claim keys", async () => {
    expect((await run({ GITHUB_REPOSITORY: "" })).status).toBe(2);
    expect((await run({ OIDC_SUBJECT_CLAIM_KEYS: "[]" })).status).toBe(2);
  });
});
