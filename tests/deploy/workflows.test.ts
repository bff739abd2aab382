import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCommand } from "../support/run-command.ts";
// @ts-expect-error: a plain .mjs script the workflow runs, without type declarations.
import { previewStages, STALE_AFTER_DAYS, staleStages } from "../../.github/scripts/stale-previews.mjs";
import { RELEASE_REF, RELEASE_WORKFLOW } from "../../infra/ci/policies.ts";
import { ROOT } from "./sst-platform.ts";

/**
 * The delivery pipeline, checked offline: each workflow against GitHub's workflow schema
 * (action-validator, a WebAssembly build shipped in its npm package), then the invariants the
 * pipeline's safety rests on, read from the parsed YAML.
 */
interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  uses?: string;
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps?: Step[];
  strategy?: { matrix?: { node?: string[] } };
}
interface Workflow {
  on: Record<string, any>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const DIR = join(ROOT, ".github", "workflows");
const sources: Record<string, string> = {};
const workflows: Record<string, Workflow> = {};
beforeAll(async () => {
  for (const file of await readdir(DIR)) {
    sources[file] = await readFile(join(DIR, file), "utf8");
    workflows[file] = parse(sources[file]!) as Workflow;
  }
});

const allJobs = () =>
  Object.entries(workflows).flatMap(([file, w]) =>
    Object.entries(w.jobs).map(([id, job]) => ({ file, id, job, workflow: w })),
  );
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
const deploysWith = (job: Job) => /\bsst deploy\b/.test(runs(job));
const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const environment = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

/**
 * Node's LTS lines (github.com/nodejs/Release, schedule.json): when each became LTS and when it
 * ends. A line is tested from its LTS date to its end of life; the newest is .nvmrc's. Add the
 * next line here when it is promoted (Node 27, October 2027); the test then asks for it in CI.
 */
const NODE_LTS: Record<string, { lts: string; end: string }> = {
  "20": { lts: "2023-10-24", end: "2026-04-30" },
  "22": { lts: "2024-10-29", end: "2027-04-30" },
  "24": { lts: "2025-10-28", end: "2028-04-30" },
  "26": { lts: "2026-10-28", end: "2029-04-30" },
};
const maintainedLtsLines = (today: Date) =>
  Object.entries(NODE_LTS)
    .filter(([, { lts, end }]) => new Date(`${lts}T00:00:00Z`) <= today && today < new Date(`${end}T00:00:00Z`))
    .map(([line]) => line);

describe("the workflow files", () => {
  it("are the four the pipeline needs", () => {
    expect(Object.keys(workflows).sort()).toEqual(["deploy.yml", "preview.yml", "sweep-previews.yml", "test.yml"]);
  });

  it("each validate against GitHub's workflow schema", () => {
    for (const [file, source] of Object.entries(sources))
      expect({ file, errors: validateWorkflow(source).errors }).toEqual({ file, errors: [] });
  });

  it("the validator rejects a broken workflow (so a pass above means something)", () => {
    const broken = "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: echo hi\n";
    expect(validateWorkflow(broken).errors).not.toEqual([]);
  });
});

describe("the pipeline's invariants", () => {
  it("test on every push and pull request, on every Node LTS line not past its end of life, oldest first", () => {
    const test = workflows["test.yml"]!;
    expect(Object.keys(test.on)).toEqual(expect.arrayContaining(["push", "pull_request", "workflow_call"]));
    expect(test.jobs.test!.strategy!.matrix!.node).toEqual(maintainedLtsLines(new Date()));
    expect(runs(test.jobs.test!)).toContain("npm test");
  });

  it("the schedule check drops Node 20 after its end of life, and adds 26 once it is LTS", () => {
    expect(maintainedLtsLines(new Date("2026-04-29T12:00:00Z"))).toEqual(["20", "22", "24"]);
    expect(maintainedLtsLines(new Date("2026-05-01T00:00:00Z"))).toEqual(["22", "24"]);
    expect(maintainedLtsLines(new Date("2026-12-07T00:00:00Z"))).toEqual(["22", "24", "26"]);
  });

  it("let no deploy job run before the tests pass", () => {
    const deployJobs = allJobs().filter(({ job }) => deploysWith(job));
    expect(deployJobs.map(({ file, id }) => `${file}:${id}`).sort()).toEqual([
      "deploy.yml:production",
      "deploy.yml:staging",
      "preview.yml:deploy",
    ]);
    for (const { workflow, job, id } of deployJobs) {
      const upstream = new Set<string>();
      const visit = (name: string) => {
        if (upstream.has(name)) return;
        upstream.add(name);
        needs(workflow.jobs[name]!).forEach(visit);
      };
      needs(job).forEach(visit);
      expect(
        [...upstream].some((name) => workflow.jobs[name]!.uses === "./.github/workflows/test.yml"),
        id,
      ).toBe(true);
    }
  });

  it("deploy production only from the `production` environment (required reviewers), after staging and its smoke test", () => {
    const production = workflows["deploy.yml"]!.jobs.production!;
    expect(environment(production)).toBe("production");
    expect(needs(production)).toEqual(["staging"]);
    expect(runs(workflows["deploy.yml"]!.jobs.staging!)).toMatch(
      /sst deploy --stage "\$STAGE"[\s\S]*retainwise\.mjs smoke/,
    );
    expect(workflows["deploy.yml"]!.jobs.staging!.env!.STAGE).toBe("staging");
    expect(production.env!.STAGE).toBe("production");
    expect(Object.keys(workflows["deploy.yml"]!.on)).toEqual(["push"]);
  });

  it("never run two deploys of one stage at once", () => {
    for (const { job, workflow, id } of allJobs().filter(
      ({ job }) => deploysWith(job) || /\bsst remove\b/.test(runs(job)),
    )) {
      const concurrency = job.concurrency ?? workflow.concurrency;
      expect(concurrency, id).toBeDefined();
      expect(concurrency!["cancel-in-progress"], id).toBe(false);
    }
    expect(workflows["deploy.yml"]!.jobs.staging!.concurrency!.group).not.toBe(
      workflows["deploy.yml"]!.jobs.production!.concurrency!.group,
    );
  });

  it("grant nothing by default and each job only what it uses (id-token only where AWS credentials are assumed)", () => {
    for (const [file, workflow] of Object.entries(workflows))
      expect({ file, permissions: workflow.permissions }).toEqual({ file, permissions: {} });
    for (const { file, id, job } of allJobs()) {
      expect(typeof job.permissions, `${file}:${id}`).toBe("object");
      const permissions = job.permissions as Record<string, string>;
      const assumesRole = (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(permissions["id-token"] === "write", `${file}:${id}`).toBe(assumesRole);
      expect(Object.values(permissions).filter((p) => p === "write").length, `${file}:${id}`).toBeLessThanOrEqual(
        assumesRole ? 2 : 0,
      );
    }
  });

  it("pin every action to a major version tag or a commit SHA", () => {
    const used = allJobs().flatMap(({ job }) => (job.steps ?? []).map((s) => s.uses).filter((u): u is string => !!u));
    expect(used.length).toBeGreaterThan(5);
    for (const action of used) expect(action).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+|[0-9a-f]{40})$/);
  });

  it("put no secret in a run line, and check every secret and variable is set before any step uses it", () => {
    for (const { file, id, job, workflow } of allJobs()) {
      for (const step of job.steps ?? [])
        expect(step.run ?? "", `${file}:${id}`).not.toMatch(/\$\{\{\s*(secrets|vars)\./);
      const settings = Object.entries({
        ...workflow.env,
        ...job.env,
        ...Object.assign({}, ...(job.steps ?? []).map((s) => s.env ?? {})),
      })
        .filter(([, value]) => /\$\{\{\s*(secrets|vars)\./.test(String(value)))
        .map(([name]) => name);
      if (settings.length === 0) continue;
      const steps = job.steps!;
      const check = steps.findIndex((s) => s.run?.startsWith(".github/scripts/require.sh "));
      expect(check, `${file}:${id} has no require.sh step`).toBeGreaterThanOrEqual(0);
      expect(
        steps.slice(0, check).every((s) => s.uses?.startsWith("actions/checkout@")),
        `${file}:${id}: only checkout may come before the check`,
      ).toBe(true);
      expect(steps[check]!.run!.split(/\s+/).slice(1).sort(), `${file}:${id}`).toEqual(settings.sort());
    }
  });
});

describe("which deploy role each job gets (infra/ci/policies.ts)", () => {
  it("assume AWS credentials only in a job bound to the GitHub environment whose role trusts it: pull requests only ever the preview role", () => {
    const assuming = allJobs().filter(({ job }) =>
      (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")),
    );
    expect(Object.fromEntries(assuming.map(({ file, id, job }) => [`${file}:${id}`, environment(job)]))).toEqual({
      "deploy.yml:staging": "staging",
      "deploy.yml:production": "production",
      "preview.yml:deploy": "preview",
      "preview.yml:remove": "preview",
      "sweep-previews.yml:sweep": "preview",
    });
    for (const { file, id, job } of assuming) {
      // An environment variable of this name is the environment's own role (docs/DEPLOY.md, "First-time setup").
      expect({ file, id, arn: job.env!.AWS_ROLE_ARN }).toEqual({ file, id, arn: "${{ vars.AWS_DEPLOY_ROLE_ARN }}" });
      const configure = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
      expect(configure.with!["role-to-assume"]).toBe("${{ env.AWS_ROLE_ARN }}");
    }
    expect(workflows["preview.yml"]!.env!.STAGE).toBe("pr-${{ github.event.pull_request.number }}");
  });
});

describe("what the staging and production roles' trust pins (infra/ci/policies.ts)", () => {
  it("is the workflow that deploys them, run only by pushes to main: its file and ref are the job_workflow_ref and sub they trust", () => {
    const file = RELEASE_WORKFLOW.replace(/^\.github\/workflows\//, "");
    const deploying = allJobs().filter(({ job }) => ["staging", "production"].includes(environment(job) ?? ""));
    expect(deploying.map(({ file, id }) => `${file}:${id}`)).toEqual([`${file}:staging`, `${file}:production`]);
    expect(workflows[file]!.on).toEqual({ push: { branches: [RELEASE_REF.replace(/^refs\/heads\//, "")] } });
  });
});

describe("one Node version", () => {
  it("deploys, builds the image and runs CI's newest line on the same Node major (.nvmrc)", async () => {
    const nvmrc = (await readFile(join(ROOT, ".nvmrc"), "utf8")).trim();
    const images = [...(await readFile(join(ROOT, "Dockerfile"), "utf8")).matchAll(/^FROM node:(\d+)-/gm)].map(
      (m) => m[1],
    );
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([nvmrc]));
    expect(workflows["test.yml"]!.jobs.test!.strategy!.matrix!.node!.at(-1)).toBe(nvmrc);
    // The active LTS line: the newest one promoted, not an older one in maintenance.
    expect(nvmrc).toBe(maintainedLtsLines(new Date()).at(-1));
    for (const { file, id, job } of allJobs()) {
      for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@")))
        expect({ file, id, with: step.with }).toEqual({ file, id, with: { "node-version-file": ".nvmrc" } });
    }
  });
});

describe("deploy steps", () => {
  it("roll production back to the task definitions it ran before when its smoke test fails", () => {
    const steps = workflows["deploy.yml"]!.jobs.production!.steps!;
    const index = (name: string) => steps.findIndex((s) => s.name === name);
    expect(index("Record what production runs now")).toBeGreaterThan(-1);
    expect(index("Record what production runs now")).toBeLessThan(index("Deploy"));
    expect(steps[index("Record what production runs now")]!.run).toMatch(
      /describe-services[\s\S]*services\[0\]\.taskDefinition/,
    );
    const rollback = steps[index("Roll back to the previous image")]!;
    expect(index("Roll back to the previous image")).toBeGreaterThan(index("Smoke test"));
    expect(steps[index("Smoke test")]!.id).toBe("smoke");
    expect(rollback.if).toBe("failure() && steps.smoke.outcome == 'failure'");
    expect(rollback.run).toContain('--service Api --task-definition "$PREVIOUS_API"');
    expect(rollback.run).toContain('--service Worker --task-definition "$PREVIOUS_WORKER"');
    expect(rollback.run).toMatch(/wait services-stable[\s\S]*exit 1\s*$/);
    expect(
      workflows["deploy.yml"]!.jobs.staging!.steps!.some((s) => s.name === "Roll back to the previous image"),
    ).toBe(false);
  });

  it("smoke-test the URL the deploy just printed, and fail when sst deploy fails even through tee", () => {
    for (const name of ["staging", "production"]) {
      const job = workflows["deploy.yml"]!.jobs[name]!;
      const deploy = job.steps!.find((s) => s.name === "Deploy")!.run!;
      expect(deploy).toMatch(
        /set -o pipefail[\s\S]*sst deploy --stage "\$STAGE" \| tee deploy\.log[\s\S]*echo "API_URL=\$url" >> "\$GITHUB_ENV"/,
      );
      expect(job.env!.API_URL).toBeUndefined();
      expect(job.steps!.find((s) => s.name === "Smoke test")!.run).toContain('--url "$API_URL"');
    }
    for (const { file, id, job } of allJobs()) {
      for (const step of job.steps ?? [])
        if (/\|\s*tee\b/.test(step.run ?? ""))
          expect({ file, id, pipefail: /set -o pipefail/.test(step.run!) }).toEqual({ file, id, pipefail: true });
    }
  });
});

describe(".github/scripts/require.sh", () => {
  const require = (env: Record<string, string>, ...names: string[]) =>
    runCommand("bash", [join(ROOT, ".github/scripts/require.sh"), ...names], {
      env: { PATH: process.env.PATH!, ...env },
    });

  it("fails loudly, naming each empty setting", async () => {
    const run = await require({ AWS_REGION: "us-east-1", API_URL: "" }, "AWS_REGION", "API_URL", "AWS_ROLE_ARN");
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /::error title=Missing setting::API_URL is empty[\s\S]*::error title=Missing setting::AWS_ROLE_ARN is empty/,
    );
    expect(run.stdout).not.toContain("AWS_REGION is empty");
  });

  it("passes when every setting is set", async () => {
    expect((await require({ A: "1", B: "x" }, "A", "B")).status).toBe(0);
  });
});

describe("preview stages", () => {
  it("are removed when their pull request closes, by the job that deploys nothing, with the stage the deploy used", () => {
    const preview = workflows["preview.yml"]!;
    expect(preview.on.pull_request.types).toContain("closed");
    const { deploy, remove } = preview.jobs;
    expect(deploy!.if).toBe("github.event.action != 'closed'");
    expect(remove!.if).toBe("github.event.action == 'closed'");
    expect(runs(remove!)).toMatch(/^npx sst remove --stage "\$STAGE"$/m);
    expect(deploysWith(remove!)).toBe(false);
    expect(runs(deploy!)).toContain('npx sst deploy --stage "$STAGE"');
    expect(remove!.env?.STAGE ?? preview.env!.STAGE).toBe("pr-${{ github.event.pull_request.number }}");
  });
});

describe("the daily sweep of stale previews", () => {
  it("runs every day as the preview role (its environment), never two at once, removing only pr-* stages the script names", () => {
    const sweep = workflows["sweep-previews.yml"]!;
    expect(sweep.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    const job = sweep.jobs.sweep!;
    expect(environment(job)).toBe("preview");
    expect(sweep.concurrency).toEqual({ group: "sweep-previews", "cancel-in-progress": false });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "read" });
    const script = runs(job);
    expect(script).toContain("node .github/scripts/stale-previews.mjs < keys.txt > stale.txt");
    expect(script).toMatch(/case "\$stage" in pr-\[0-9\]\*\) npx sst remove --stage "\$stage"/);
    expect(script).not.toMatch(/sst remove --stage (staging|production|shared)/);
  });

  it("takes only this app's pr-* stages from SST's state keys", () => {
    expect(
      previewStages([
        "app/retainwise/pr-12.json",
        "app/retainwise/pr-3.json",
        "app/retainwise/staging.json",
        "app/other/pr-9.json",
        "None",
        "app/retainwise/pr-12.json",
      ]),
    ).toEqual(["pr-12", "pr-3"]);
  });

  it("calls a preview stale when its pull request is closed, gone or idle past the limit, and keeps it when GitHub cannot say", async () => {
    const now = new Date("2026-12-07T04:17:00Z");
    const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600 * 1000).toISOString();
    const pulls: Record<number, { state: string; updated_at: string } | null | undefined> = {
      1: { state: "closed", updated_at: daysAgo(0) },
      2: { state: "open", updated_at: daysAgo(STALE_AFTER_DAYS + 1) },
      3: { state: "open", updated_at: daysAgo(1) },
      4: null,
      5: undefined,
    };
    expect(await staleStages(["pr-1", "pr-2", "pr-3", "pr-4", "pr-5"], async (n: number) => pulls[n], now)).toEqual([
      "pr-1",
      "pr-2",
      "pr-4",
    ]);
  });
});
