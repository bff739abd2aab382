import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_RECEIVES, retryDelaySeconds } from "../../packages/core/src/index.ts";
import { loadConfig } from "../../packages/cli/src/config.ts";

/**
 * infra/ states the queue and task timings in its own constants (SST code cannot import the
 * program); these tests tie them to the program's, so changing one side alone fails here.
 */
interface InfraSettings {
  MAX_RECEIVES: number;
  VISIBILITY_TIMEOUT_SECONDS: number;
  SHUTDOWN_DEADLINE_SECONDS: number;
  STOP_TIMEOUT_SECONDS: number;
  DATABASE_WAIT_SECONDS: number;
  HEALTH_GRACE_SECONDS: number;
  DRAIN_DEADLINE_SECONDS: number;
  SERVICE_STABLE_WAIT_SECONDS: number;
}
// Not a literal: infra/ is type-checked against SST's platform (infra.test.ts), not with the program.
const INFRA_SETTINGS = "../../infra/settings.ts";
let infra: InfraSettings;
beforeAll(async () => {
  // infra/settings.ts reads the stage from SST's global; any stage will do for its constants.
  vi.stubGlobal("$app", { stage: "test" });
  infra = (await import(/* @vite-ignore */ INFRA_SETTINGS)) as InfraSettings;
});
afterAll(() => vi.unstubAllGlobals());

const deployed = () =>
  loadConfig({
    env: {
      RETAINWISE_MODE: "aws",
      DATABASE_URL: "postgres://x@db/x",
      RETAINWISE_BUCKET: "b",
      RETAINWISE_QUEUE_URL: "https://sqs.example/q",
    },
  });

describe("infra settings agree with the program's constants", () => {
  it("dead-letters a message after exactly the receives the worker allows a job", () => {
    expect(infra.MAX_RECEIVES).toBe(MAX_RECEIVES);
  });

  it("hides a message for the worker's deployed visibility, longer than a claim takes to go stale, itself many heartbeats long", () => {
    const config = deployed();
    expect(infra.VISIBILITY_TIMEOUT_SECONDS).toBe(config.visibilitySeconds);
    expect(config.staleAfterSeconds).toBeLessThan(infra.VISIBILITY_TIMEOUT_SECONDS);
    expect(config.heartbeatSeconds * 5).toBeLessThanOrEqual(config.staleAfterSeconds);
  });

  it("lets a retried job's last backoff fit in the queue's visibility limit (12 h)", () => {
    expect(retryDelaySeconds(MAX_RECEIVES - 1)).toBeLessThan(12 * 3600);
  });

  it("gives the worker its shutdown deadline before ECS's SIGKILL, and waits for the database at start-up within the health grace", () => {
    expect(infra.SHUTDOWN_DEADLINE_SECONDS).toBeLessThan(infra.STOP_TIMEOUT_SECONDS);
    expect(infra.DATABASE_WAIT_SECONDS).toBeLessThan(infra.HEALTH_GRACE_SECONDS);
    expect(infra.DATABASE_WAIT_SECONDS).toBeLessThanOrEqual(deployed().databaseWaitSeconds);
  });

  it("lets a deploy's old workers drain (drain deadline, then the stop timeout) inside the provider's wait for stable services", () => {
    expect(infra.DRAIN_DEADLINE_SECONDS).toBe(deployed().drainDeadlineSeconds);
    expect(infra.DRAIN_DEADLINE_SECONDS + infra.STOP_TIMEOUT_SECONDS).toBeLessThan(infra.SERVICE_STABLE_WAIT_SECONDS);
  });
});
