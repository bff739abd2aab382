import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { STAGES, stageSettings } from "../../stacks/stages.ts";
import { runCommand } from "../support/run-command.ts";
import { requireSstPlatform, ROOT } from "./sst-platform.ts";

describe("the SST app, offline", () => {
  beforeAll(() => requireSstPlatform());

  it("sst.config.ts, infra/ and stacks/ type-check against the installed SST 4.17.1 platform", async () => {
    const tsc = await runCommand(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "infra/tsconfig.json"], { cwd: ROOT });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, 540_000);
});

describe("per-stage settings", () => {
  it("protect production and give it redundancy; other stages scale workers to zero", () => {
    expect(STAGES.production).toMatchObject({ protect: true, database: { multiAz: true } });
    expect(STAGES.production.worker.min).toBeGreaterThan(0);
    expect(stageSettings("alice")).toBe(STAGES.personal);
    expect(stageSettings("staging").worker.min).toBe(0);
    expect(stageSettings("alice").worker.min).toBe(0);
    expect(stageSettings("alice").protect).toBe(false);
  });

  it("mark production and staging shared (no sst dev) with a domain each, and no personal stage", () => {
    for (const stage of ["production", "staging"]) expect(stageSettings(stage)).toMatchObject({ sharedStage: true, domain: expect.stringMatching(/\./) });
    expect(stageSettings("pr-42").sharedStage).toBe(false);
  });
});
