import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresAccountRepository } from "../../packages/postgres/src/index.ts";
import { runCommand } from "../support/run-command.ts";
import { startService, type RunningService } from "../support/service.ts";
import { ROOT } from "./sst-platform.ts";

/**
 * scripts/first-deploy.sh end to end, with stand-ins for the three outside tools: `npx sst` records
 * secrets and "deploys" by printing a running local service's URL and the migrateTask output; `aws`
 * runs the task's container command with the program itself against that service's database, as
 * ECS would in the task; `gh` records the secret it is handed. So the key the script stores, smoke
 * tests and hands on is a real one.
 */
let service: RunningService;
let bin: string;
const TASK = {
  AWS_REGION: "us-east-1",
  RETAINWISE_TASK_CLUSTER: "arn:aws:ecs:us-east-1:1:cluster/c",
  RETAINWISE_TASK_DEFINITION: "arn:aws:ecs:us-east-1:1:task-definition/c-Migrate:3",
  RETAINWISE_TASK_CONTAINER: "Migrate",
  RETAINWISE_TASK_SUBNETS: "subnet-1",
  RETAINWISE_TASK_SECURITY_GROUPS: "sg-1",
  RETAINWISE_TASK_PUBLIC_IP: "ENABLED",
};

const fakes = {
  npx: `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_DIR + "/npx.log", args.join(" ") + "\\n");
if (args[1] === "deploy") console.log("\\n   api: " + process.env.FAKE_API + "\\n   migrateTask: " + process.env.FAKE_TASK);
`,
  aws: `#!/usr/bin/env node
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_DIR + "/aws.log", args.join(" ") + "\\n");
const state = process.env.FAKE_DIR + "/exit-code";
if (args[1] === "run-task") {
  const overrides = JSON.parse(args[args.indexOf("--overrides") + 1]);
  let code = 0;
  try { execFileSync(process.execPath, [process.env.FAKE_CLI, ...overrides.containerOverrides[0].command], { env: { ...process.env, DATABASE_URL: process.env.FAKE_DATABASE_URL }, stdio: "ignore" }); } catch (e) { code = e.status; }
  fs.writeFileSync(state, String(code));
  console.log("arn:aws:ecs:us-east-1:1:task/c/t1");
} else if (args[1] === "describe-tasks") {
  const query = args[args.indexOf("--query") + 1];
  console.log(query.includes("lastStatus") ? "STOPPED" : query.includes("exitCode") ? fs.readFileSync(state, "utf8") : "done");
}
`,
  gh: `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/gh.log"
cat > "$FAKE_DIR/gh-body"
`,
};

beforeAll(async () => {
  service = await startService("local");
  bin = await mkdtemp(join(tmpdir(), "rw-first-deploy-"));
  for (const [name, text] of Object.entries(fakes)) {
    await writeFile(join(bin, name), text);
    await chmod(join(bin, name), 0o755);
  }
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await rm(bin, { recursive: true, force: true });
});

it("sets the signing key, deploys, stores a smoke key by its hash alone, smoke tests it against the printed URL and hands it to GitHub", async () => {
  const run = await runCommand("bash", [join(ROOT, "scripts/first-deploy.sh"), "production"], {
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_DIR: bin,
      FAKE_API: service.url,
      FAKE_TASK: JSON.stringify(TASK),
      FAKE_CLI: join(ROOT, "packages/cli/bin/retainwise.mjs"),
      FAKE_DATABASE_URL: service.db.url,
    },
    timeoutMs: 240_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout + run.stderr).toMatch(/smoke: OK/);
  const npx = (await readFile(join(bin, "npx.log"), "utf8")).trimEnd().split("\n");
  expect(npx).toEqual([
    "sst secret list --stage production",
    expect.stringMatching(/^sst secret set DownloadSigningKey [0-9a-f]{64} --stage production$/),
    "sst deploy --stage production",
  ]);
  // The key went to GitHub's production environment, and it authenticates as the smoke account.
  expect(await readFile(join(bin, "gh.log"), "utf8")).toBe("secret set SMOKE_API_KEY --env production\n");
  const key = (await readFile(join(bin, "gh-body"), "utf8")).trim();
  expect(await createPostgresAccountRepository(service.db.sql).authenticate(key)).toMatchObject({ name: "smoke" });
  // The task got its hash and prefix, never the key; nothing printed it either.
  const aws = await readFile(join(bin, "aws.log"), "utf8");
  expect(aws).toContain(`"--prefix","${key.slice(0, 10)}"`);
  expect(aws).toContain("--task-definition arn:aws:ecs:us-east-1:1:task-definition/c-Migrate:3");
  expect(aws).not.toContain(key);
  expect(run.stdout + run.stderr).not.toContain(key);
}, 300_000);
