import { readFileSync } from "node:fs";
import { Readable, PassThrough } from "node:stream";
import { text } from "node:stream/consumers";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { loadModel } from "../model/index.ts";
import { scoreCsv } from "../scoring/index.ts";

/** The shipped model and card through the scoring core's own pipeline (issue 2): reasons exist and agree with the contributions. */
const FIXTURE = new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url);
const SHIPPED_MODEL = new URL("../../../../models/churn-v1.onnx", import.meta.url).pathname;
const SAMPLE_ROWS = 25;
const REASON = /^(.+) is (.+) \(([+-]\d+\.\d+)\)$/;

describe("reasons from the shipped model", () => {
  it("lists risk factors with positive and protective factors with negative contributions, by card label", async () => {
    const lines = readFileSync(FIXTURE, "utf8").trim().split("\n").slice(0, SAMPLE_ROWS + 1);
    const model = await loadModel(SHIPPED_MODEL);
    const output = new PassThrough();
    const scored = text(output);
    await scoreCsv({ input: Readable.from([lines.join("\n") + "\n"]), output, model });
    await model.release();
    const rows = parse(await scored, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(SAMPLE_ROWS);
    const labels = new Set(model.inputs.map((i) => i.label));
    expect(labels.has("Tenure (months)")).toBe(true);
    for (const row of rows) {
      expect(row.model_version).toBe("v1");
      const risks = reasons(row.risk_factors!);
      const protective = reasons(row.protective_factors!);
      expect(risks.length + protective.length).toBeGreaterThan(0);
      for (const r of risks) expect(r.value).toBeGreaterThan(0);
      for (const r of protective) expect(r.value).toBeLessThan(0);
      for (const r of [...risks, ...protective]) expect(labels.has(r.label)).toBe(true);
      expect(risks.map((r) => r.value)).toEqual([...risks.map((r) => r.value)].sort((a, b) => b - a));
    }
  });
});

function reasons(cell: string): Array<{ label: string; value: number }> {
  if (cell.trim() === "") return [];
  // The scoring core joins reasons with "; " (scoring/pipeline.ts).
  return cell.split("; ").map((sentence) => {
    const match = REASON.exec(sentence.trim());
    if (!match) throw new Error(`unexpected reason format: ${sentence}`);
    return { label: match[1]!, value: Number(match[3]) };
  });
}
