import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_MODEL_ID } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { TELCO_PATH, TELCO_ROWS } from "../support/telco.ts";

/** The first 1,500 rows of the MLC churn table (columns unlike Telco's; label `churn`, yes/no), with a `customer_id` added. */
const MLC_PATH = fileURLToPath(new URL("../fixtures/mlc-churn-1500.csv", import.meta.url));
const MLC_ROWS = 1500;

for (const mode of ["local", "aws"] as const) {
  describe(`models end to end in ${mode} mode, over real HTTP`, () => {
    let service: RunningService;
    let key: string;
    let other: string;
    let mlc: string;
    let modelId: string;
    beforeAll(async () => {
      service = await startService(mode);
      [key, other] = await Promise.all([service.key("bank"), service.key("rival")]);
      mlc = await readFile(MLC_PATH, "utf8");
    });
    afterAll(() => service.stop());

    const post = (path: string, apiKey: string, body: RequestInit["body"], type = "text/csv") =>
      service.api(path, apiKey, { method: "POST", body, ...(type ? { headers: { "Content-Type": type } } : {}) });

    // Training takes seconds on an idle machine and minutes when the full suite shares two cores.
    it("trains a model on the account's own labeled columns, then scores every row of that file with it", {
      timeout: 300_000,
    }, async () => {
      const upload = await post("/v1/models?label=churn&name=mlc", key, mlc);
      expect(upload.status).toBe(202);
      const created = (await upload.json()) as Record<string, any>;
      expect(upload.headers.get("location")).toBe(`/v1/models/${created.id}`);
      expect(created).toMatchObject({
        status: "QUEUED",
        name: "mlc",
        version: "v1",
        label: "mlc-v1",
        labelColumn: "churn",
        builtIn: false,
      });
      modelId = created.id;

      const ready = await service.waitForModel(modelId, key, "READY", 280_000);
      expect(ready.status).toBe("READY");
      expect(ready.rows).toBe(MLC_ROWS);
      expect(ready.metrics.heldOut.auc).toBeGreaterThan(0.6);
      expect(ready.metrics.classBalance).toEqual({ positive: 190, negative: 1310 });
      expect(ready.inputs.map((i: { name: string }) => i.name)).toContain("number_customer_service_calls");
      expect(ready.inputs.map((i: { name: string }) => i.name)).not.toContain("churn");
      expect(ready.excludedColumns.map((c: { name: string }) => c.name)).toContain("customer_id");

      const scored = await post(`/v1/predictions?model=${modelId}`, key, mlc);
      expect(scored.status).toBe(202);
      const { id } = (await scored.json()) as { id: string };
      const done = await service.waitFor(id, key, "COMPLETED");
      expect(done).toMatchObject({ status: "COMPLETED", modelId, modelVersion: "mlc-v1" });
      expect(done.metrics.rowsScored).toBe(MLC_ROWS);
      const link = (await (await service.api(`/v1/predictions/${id}/download`, key)).json()) as { url: string };
      const lines = (await (await fetch(link.url)).text()).trimEnd().split("\n");
      expect(lines).toHaveLength(MLC_ROWS + 1);
      expect(lines.slice(1).every((line) => line.endsWith(",mlc-v1,"))).toBe(true);
    });

    it("serves the model's card and a download link to its ONNX file", async () => {
      const card = (await (await service.api(`/v1/models/${modelId}/card`, key)).json()) as Record<string, any>;
      expect(card).toMatchObject({ name: "mlc", version: "v1", label: { column: "churn", positive: "yes" } });
      const link = (await (await service.api(`/v1/models/${modelId}/download`, key)).json()) as {
        url: string;
        filename: string;
      };
      expect(link.filename).toBe("mlc-v1.onnx");
      const onnx = Buffer.from(await (await fetch(link.url)).arrayBuffer());
      expect(onnx.length).toBeGreaterThan(1000);
    });

    it("hides a model from other accounts: 404 to read it and to score with it", async () => {
      expect((await service.api(`/v1/models/${modelId}`, other)).status).toBe(404);
      const scored = await post(`/v1/predictions?model=${modelId}`, other, mlc);
      expect(scored.status).toBe(404);
      expect(((await scored.json()) as { error: { code: string } }).error.code).toBe("model.not_found");
      const list = (await (await service.api("/v1/models", other)).json()) as { items: { id: string }[] };
      expect(list.items.map((m) => m.id)).toEqual([BUILTIN_MODEL_ID]);
    });

    it("refuses a label column the file does not have, naming the closest columns", async () => {
      const upload = await post("/v1/models?label=churned&name=typo", key, mlc);
      expect(upload.status).toBe(400);
      const { error } = (await upload.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("train.missing_label");
      expect(error.message).toMatch(/closest: "churn"/);
    });

    it("fails a model whose label has one class, with the trainer's message", { timeout: 120_000 }, async () => {
      const [header, ...rows] = mlc.trimEnd().split("\n");
      const stayed = [header, ...rows.filter((row) => row.endsWith('"no"'))].join("\n") + "\n";
      const { id } = (await (await post("/v1/models?label=churn&name=onlyno", key, stayed)).json()) as { id: string };
      const failed = await service.waitForModel(id, key, "FAILED");
      expect(failed.status).toBe("FAILED");
      expect(failed.error.code).toBe("train.one_class");
      expect(failed.error.message).toMatch(/Every row has churn = "no"/);
      expect(failed.attempts).toBe(1);
    });

    it("lists the built-in model for every account and scores with it by default", async () => {
      const list = (await (await service.api("/v1/models", key)).json()) as { items: Record<string, any>[] };
      expect(list.items.at(-1)).toMatchObject({
        id: BUILTIN_MODEL_ID,
        builtIn: true,
        status: "READY",
        isDefault: true,
      });
      const scored = await post("/v1/predictions", other, await readFile(TELCO_PATH, "utf8"));
      const done = await service.waitFor(((await scored.json()) as { id: string }).id, other, "COMPLETED");
      expect(done).toMatchObject({ status: "COMPLETED", modelId: BUILTIN_MODEL_ID });
      expect(done.metrics.rowsScored).toBe(TELCO_ROWS);
    });

    it("scores uploads that name no model with the account's default once it is switched", async () => {
      const put = await service.api("/v1/account/default-model", key, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ modelId }),
      });
      expect(put.status).toBe(200);
      expect(((await put.json()) as { isDefault: boolean }).isDefault).toBe(true);
      const scored = await post("/v1/predictions", key, mlc);
      const done = await service.waitFor(((await scored.json()) as { id: string }).id, key, "COMPLETED");
      expect(done).toMatchObject({ modelId, modelVersion: "mlc-v1" });
      const builtin = (await (await service.api(`/v1/models/${BUILTIN_MODEL_ID}`, key)).json()) as {
        isDefault: boolean;
      };
      expect(builtin.isDefault).toBe(false);
    });

    it("a deleted model scores nothing new, while predictions made with it keep their results", async () => {
      const before = (await (await service.api("/v1/predictions", key)).json()) as {
        items: { id: string; modelId: string }[];
      };
      const made = before.items.find((p) => p.modelId === modelId)!;
      const deleted = await service.api(`/v1/models/${modelId}`, key, { method: "DELETE" });
      expect(deleted.status).toBe(200);
      expect((await service.api(`/v1/models/${modelId}`, key)).status).toBe(404);
      expect((await post(`/v1/predictions?model=${modelId}`, key, mlc)).status).toBe(404);
      expect((await service.api(`/v1/predictions/${made.id}/download`, key)).status).toBe(200);
      // The default falls back to the built-in model.
      const builtin = (await (await service.api(`/v1/models/${BUILTIN_MODEL_ID}`, key)).json()) as {
        isDefault: boolean;
      };
      expect(builtin.isDefault).toBe(true);
    });

    it("deleting a model while it trains cancels the training", { timeout: 180_000 }, async () => {
      const [header, ...rows] = mlc.trimEnd().split("\n");
      const big = [header, ...Array.from({ length: 20 }, () => rows).flat()].join("\n") + "\n";
      const { id } = (await (await post("/v1/models?label=churn&name=big", key, big)).json()) as { id: string };
      const training = await service.waitForModel(id, key, "TRAINING");
      expect(training.status).toBe("TRAINING");
      expect((await service.api(`/v1/models/${id}`, key, { method: "DELETE" })).status).toBe(200);
      const [row] = await service.db.sql<
        { status: string; onnxKey: string | null }[]
      >`select status, onnx_key from models where id = ${id}`;
      expect(row).toMatchObject({ status: "CANCELED", onnxKey: null });
      // The worker notices at its next heartbeat and gives the slot back: another job runs.
      const scored = await post("/v1/predictions", key, await readFile(TELCO_PATH, "utf8"));
      expect((await service.waitFor(((await scored.json()) as { id: string }).id, key, "COMPLETED")).status).toBe(
        "COMPLETED",
      );
      const [after] = await service.db.sql<{ status: string }[]>`select status from models where id = ${id}`;
      expect(after!.status).toBe("CANCELED");
    });
  });
}
