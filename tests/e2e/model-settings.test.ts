import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_MODEL_ID } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { TELCO_PATH, TELCO_ROWS } from "../support/telco.ts";

/** One output line's fields (RFC 4180 quotes; the output has no newline inside a field). */
function fields(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
    m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!,
  );
}

describe("a model's settings over real HTTP (local mode): actionable columns, then retention_action in the scored file", () => {
  let service: RunningService;
  let key: string;
  let other: string;
  beforeAll(async () => {
    service = await startService("local");
    [key, other] = await Promise.all([service.key("acme"), service.key("rival")]);
  });
  afterAll(() => service.stop());

  const put = (apiKey: string, body: unknown) =>
    service.api(`/v1/models/${BUILTIN_MODEL_ID}/settings`, apiKey, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("refuses a column the model does not read with 400 naming its inputs, and a body that is not a list of names", async () => {
    const unknown = await put(key, { actionable: ["Contract", "Discount"] });
    expect(unknown.status).toBe(400);
    const { error } = (await unknown.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("request.invalid_actionable");
    expect(error.message).toMatch(
      /"Discount" is not an input of the model .*The model's inputs: .*Contract.*PaymentMethod/,
    );
    for (const body of [{}, { actionable: "Contract" }, { actionable: [""] }, { actionable: [3] }]) {
      const bad = await put(key, body);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toMatch(/^request\.invalid_/);
    }
  });

  it("keeps each account's own settings, names matched as the card writes them", async () => {
    const saved = await put(key, { actionable: ["contract", "PaymentMethod", "Contract"] });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ modelId: BUILTIN_MODEL_ID, actionable: ["Contract", "PaymentMethod"] });
    expect(await (await service.api(`/v1/models/${BUILTIN_MODEL_ID}/settings`, key)).json()).toEqual({
      modelId: BUILTIN_MODEL_ID,
      actionable: ["Contract", "PaymentMethod"],
    });
    expect(await (await service.api(`/v1/models/${BUILTIN_MODEL_ID}/settings`, other)).json()).toEqual({
      modelId: BUILTIN_MODEL_ID,
      actionable: [],
    });
  });

  it("scores with the account's actionable columns: retention_action filled for that account, blank for another", async () => {
    const scoredBy = async (apiKey: string) => {
      const upload = await service.api("/v1/predictions", apiKey, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: await readFile(TELCO_PATH),
      });
      const { id } = (await upload.json()) as { id: string };
      expect((await service.waitFor(id, apiKey, "COMPLETED")).status).toBe("COMPLETED");
      const link = (await (await service.api(`/v1/predictions/${id}/download`, apiKey)).json()) as { url: string };
      const [header, ...rows] = (await (await fetch(link.url)).text()).trimEnd().split("\n").map(fields);
      expect(rows).toHaveLength(TELCO_ROWS);
      return rows.map((row) => row[header!.indexOf("retention_action")]!);
    };
    const actions = (await scoredBy(key)).filter((a) => a !== "");
    expect(actions.length).toBeGreaterThan(TELCO_ROWS / 4);
    for (const action of actions)
      expect(action).toMatch(
        /^(Contract (One year|Two year|Month-to-month)|Payment method [A-Za-z ()]+) instead of [A-Za-z ()-]+: 0\.\d{2,4} -> 0\.\d{2,4}$/,
      );
    expect((await scoredBy(other)).every((a) => a === "")).toBe(true);
  });
});
