import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreText } from "../../../../tests/support/score-text.ts";
import { loadModelFromBytes } from "../model/churn-model.ts";
import { trainFromCsvFile } from "./pipeline.ts";
import { mulberry32 } from "./split.ts";

/**
 * Issue 21's credit-card attrition table in small: a 9-digit CLIENTNUM, a few attributes, and the
 * label as words (Attrited Customer / Existing Customer). Trained and scored for real.
 */
const ROWS = 1500;
let dir: string;
let path: string;
let text: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-clientnum-"));
  const random = mulberry32(21);
  const lines = ["CLIENTNUM,Customer_Age,Total_Trans_Ct,Card_Category,Attrition_Flag"];
  for (let r = 0; r < ROWS; r++) {
    const count = 10 + Math.floor(random() * 120);
    const attrited = random() < 0.45 - count / 400;
    lines.push(
      `${708_082_083 + Math.floor(random() * 1000) * 100_000 + r},${26 + Math.floor(random() * 40)},${count},${random() < 0.9 ? "Blue" : "Silver"},${attrited ? "Attrited Customer" : "Existing Customer"}`,
    );
  }
  text = lines.join("\n") + "\n";
  path = join(dir, "bank-churners.csv");
  await writeFile(path, text);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("a model trained on a file with CLIENTNUM", () => {
  it("leaves CLIENTNUM out of its inputs and reasons, learns Attrited Customer as churned, and scores with CLIENTNUM as customer_id", async () => {
    const { onnx, card } = await trainFromCsvFile(path, {
      label: "Attrition_Flag",
      version: "v1",
      created: "2026-12-01T00:00:00.000Z",
    });
    expect(card.label).toEqual({ column: "Attrition_Flag", positive: "Attrited Customer" });
    expect(card.columns[0]).toMatchObject({ name: "CLIENTNUM", role: "identifier" });
    expect(card.inputs.map((i) => i.name)).not.toContain("CLIENTNUM");
    const model = await loadModelFromBytes({ onnx, card });
    try {
      const scored = await scoreText(model, text);
      const rows = parse(scored.output, { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(ROWS);
      expect(rows.map((r) => r.customer_id)).toEqual(
        text
          .trimEnd()
          .split("\n")
          .slice(1)
          .map((line) => line.split(",")[0]),
      );
      expect(rows.some((r) => /CLIENTNUM|Clientnum/i.test(r.risk_factors! + r.protective_factors!))).toBe(false);
      expect(rows.some((r) => /total trans/i.test(r.risk_factors!))).toBe(true);
    } finally {
      await model.release();
    }
  }, 120_000);
});
