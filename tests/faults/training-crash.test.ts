import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobHarness, type JobHarness } from "../support/job-harness.ts";
import { workerProcesses } from "../support/worker-process.ts";

const MLC_PATH = fileURLToPath(new URL("../fixtures/mlc-churn-1500.csv", import.meta.url));

let h: JobHarness;
/** The fixture's 1,500 labeled rows: the worker is killed as soon as it reports training progress. */
let labeled: string;
const workers = workerProcesses(() => h);
beforeAll(async () => {
  h = await startJobHarness();
  labeled = await readFile(MLC_PATH, "utf8");
});
afterAll(async () => {
  await workers.stopAll();
  await h.close();
});

describe("training on a worker process that stops", () => {
  it("a worker SIGKILLed mid-training leaves the model to be trained once, by the next worker", {
    timeout: 600_000,
  }, async () => {
    const model = await h.submitModel(labeled, { label: "churn", name: "killed" });
    const first = workers.start();
    await h.waitForModel(model.id, (row) => row.status === "TRAINING" && row.progressPercent > 0, 90_000);
    first.kill("SIGKILL");
    await once(first, "exit");
    expect((await h.models.getById(model.id))?.status).toBe("TRAINING");

    const second = workers.start();
    const ready = await h
      .waitForModel(model.id, (row) => row.status === "READY" || row.status === "FAILED", 580_000)
      .finally(() => second.kill("SIGKILL"));
    await once(second, "exit");
    expect(ready).toMatchObject({ status: "READY", attempts: 2, rowsTotal: 1_500 });
    expect(ready.onnxKey).toMatch(/\/attempt-2\/model\.onnx$/);
    expect(await h.store.head(ready.onnxKey!)).not.toBeNull();
    expect(await h.store.head(ready.onnxKey!.replace("attempt-2", "attempt-1"))).toBeNull();
  });

  it("SIGTERM during training releases the model for another worker at once", { timeout: 180_000 }, async () => {
    await workers.stopAll(); // only the worker started here may claim the model
    const model = await h.submitModel(labeled, { label: "churn", name: "released" });
    const first = workers.start({ RETAINWISE_SHUTDOWN_DEADLINE_SECONDS: "0.5" });
    await h.waitForModel(model.id, (row) => row.status === "TRAINING" && row.progressPercent > 0, 90_000);
    first.kill("SIGTERM");
    const [code, signal] = (await once(first, "exit")) as [number, string];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const released = await h.models.getById(model.id);
    expect(released).toMatchObject({ status: "QUEUED", attempts: 1 });
    const [message] = await h.queue.receive({ max: 1, waitSeconds: 1, visibilitySeconds: 1 });
    expect(JSON.parse(message!.body)).toEqual({ kind: "train", id: model.id });
  });
});
