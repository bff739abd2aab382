import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NETWORK_STAGE, STAGES, stageSettings } from "../../stacks/stages.ts";
import { runCommand } from "../support/run-command.ts";
import { requireSstPlatform, ROOT } from "./sst-platform.ts";

describe("the SST app, offline", () => {
  beforeAll(() => requireSstPlatform());

  it("sst.config.ts, infra/ and stacks/ type-check against the installed SST 4.17.1 platform", async () => {
    const tsc = await runCommand(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "infra/tsconfig.json"], {
      cwd: ROOT,
    });
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
    for (const stage of ["production", "staging"])
      expect(stageSettings(stage)).toMatchObject({ sharedStage: true, domain: expect.stringMatching(/\./) });
    expect(stageSettings("pr-42").sharedStage).toBe(false);
  });
});

describe("the shared network stage", () => {
  // sst.config.ts calls SST's global $config; its identity is enough to read app().
  const CONFIG = "../../sst.config.ts";
  let app: (input: { stage: string }) => { removal: string; protect: boolean };
  beforeAll(async () => {
    vi.stubGlobal("$config", (config: unknown) => config);
    app = ((await import(/* @vite-ignore */ CONFIG)) as { default: { app: typeof app } }).default.app;
  });
  afterAll(() => vi.unstubAllGlobals());

  it("owns its network, refuses sst dev, and is protected and retained like production; personal stages use it", () => {
    expect(NETWORK_STAGE).toBe("shared");
    expect(stageSettings("shared")).toMatchObject({ network: "own", sharedStage: true, protect: true });
    for (const stage of ["alice", "pr-42"]) expect(stageSettings(stage).network).toBe("shared");
    for (const stage of ["production", "staging"]) expect(stageSettings(stage).network).toBe("own");
    expect(app({ stage: "shared" })).toMatchObject({ removal: "retain", protect: true });
    expect(app({ stage: "pr-42" })).toMatchObject({ removal: "remove", protect: false });
  });
});
