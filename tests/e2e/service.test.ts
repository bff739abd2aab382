import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARALLEL_MIN_BYTES } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { TELCO_PATH, TELCO_ROWS } from "../support/telco.ts";

for (const mode of ["local", "aws"] as const) {
  describe(`the service end to end in ${mode} mode, over real HTTP`, () => {
    let service: RunningService;
    let key: string;
    beforeAll(async () => {
      service = await startService(mode);
      key = await service.key("acme");
    });
    afterAll(() => service.stop());

    it("scores an uploaded Telco file and serves the result through an expiring download URL", async () => {
      const upload = await service.api("/v1/predictions?filename=telco.csv", key, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: await readFile(TELCO_PATH),
      });
      expect(upload.status).toBe(202);
      const created = (await upload.json()) as { id: string; status: string };
      expect(upload.headers.get("location")).toBe(`/v1/predictions/${created.id}`);
      expect(created.status).toBe("QUEUED");

      const done = await service.waitFor(created.id, key, "COMPLETED");
      expect(done.status).toBe("COMPLETED");
      expect(done.progress).toMatchObject({ rowsProcessed: TELCO_ROWS, percent: 100 });
      expect(done.metrics.rowsScored).toBe(TELCO_ROWS);

      const link = (await (await service.api(`/v1/predictions/${created.id}/download`, key)).json()) as {
        url: string;
        expiresAt: string;
        filename: string;
      };
      expect(link.filename).toBe("telco-scored.csv");
      const expiresIn = Date.parse(link.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(590_000);
      expect(expiresIn).toBeLessThanOrEqual(600_000);

      const file = await fetch(link.url);
      expect(file.status).toBe(200);
      const lines = (await file.text()).trim().split("\n");
      expect(lines).toHaveLength(TELCO_ROWS + 1);
      const probabilities = lines.slice(1).map((line) => Number(line.split(",")[1]));
      expect(probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
    });

    it("accepts a multipart upload and answers 302 to the file with ?redirect=1", async () => {
      const form = new FormData();
      form.append("file", new Blob([await readFile(TELCO_PATH)], { type: "text/csv" }), "customers.csv");
      const upload = await service.api("/v1/predictions", key, { method: "POST", body: form });
      expect(upload.status).toBe(202);
      const { id, inputFilename } = (await upload.json()) as { id: string; inputFilename: string };
      expect(inputFilename).toBe("customers.csv");
      await service.waitFor(id, key, "COMPLETED");
      const redirect = await service.api(`/v1/predictions/${id}/download?redirect=1`, key, { redirect: "manual" });
      expect(redirect.status).toBe(302);
      expect(
        (await (await fetch(redirect.headers.get("location")!)).text()).startsWith(
          "customer_id,churn_probability,risk_level",
        ),
      ).toBe(true);
    });

    it("refuses a CSV missing columns of the shipped model at upload, with a message naming them", async () => {
      const upload = await service.api("/v1/predictions", key, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: "customerID,tenure,Contract\nA-1,3,Month-to-month\n",
      });
      expect(upload.status).toBe(400);
      const { error } = (await upload.json()) as {
        error: { code: string; message: string; details: { missingColumns: string[] } };
      };
      expect(error.code).toBe("csv.missing_columns");
      expect(error.message).toMatch(/^The model telco-v1 cannot score this file\. .*MonthlyCharges/);
      expect(error.details.missingColumns).toContain("MonthlyCharges");
      expect(error.details.missingColumns).not.toContain("tenure");
    });
  });
}

describe("a large job on scoring threads (local mode)", () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService("local", { RETAINWISE_SCORING_THREADS: "2" });
  });
  afterAll(() => service.stop());

  it("completes with every row, in the order uploaded", async () => {
    const [header, ...rows] = (await readFile(TELCO_PATH, "utf8")).trimEnd().split("\n");
    const copies = 13;
    const body =
      [header, ...Array.from({ length: copies }, (_, copy) => rows.map((row) => `${copy}-${row}`)).flat()].join("\n") +
      "\n";
    expect(Buffer.byteLength(body)).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const key = await service.key("big");
    const upload = await service.api("/v1/predictions", key, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body,
    });
    const { id } = (await upload.json()) as { id: string };
    const done = await service.waitFor(id, key, "COMPLETED", 120_000);
    expect(done.metrics.rowsScored).toBe(copies * TELCO_ROWS);
    const link = (await (await service.api(`/v1/predictions/${id}/download`, key)).json()) as { url: string };
    const ids = (await (await fetch(link.url)).text())
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => line.slice(0, line.indexOf(",")));
    expect(ids).toEqual(
      body
        .trimEnd()
        .split("\n")
        .slice(1)
        .map((line) => line.slice(0, line.indexOf(","))),
    );
  });
});
