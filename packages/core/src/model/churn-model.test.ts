import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildFixtureModel,
  expectedProbability,
  writeFixtureModel,
  type FixtureKind,
} from "../../../../tests/support/onnx-fixtures.ts";
import { scoreText } from "../../../../tests/support/score-text.ts";
import { readTelco, TELCO_ROWS, toCsv, type Table } from "../../../../tests/support/telco.ts";
import { decodeModel, unwrapZipMapOutputs } from "../onnx/index.ts";
import { DEFAULT_RISK_THRESHOLDS } from "./card.ts";
import { loadModel } from "./churn-model.ts";

let dir: string;
let telco: Table;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rw-byo-model-"));
  telco = readTelco();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds: { kind: FixtureKind; description: string }[] = [
  { kind: "zipmap", description: "an skl2onnx-style classifier ending in ZipMap (output_label + output_probability)" },
  { kind: "column", description: "a model with one [N,1] probability output" },
  { kind: "tensor", description: "a model with an [N,2] probability tensor and no contributions output" },
];

describe("bring-your-own models", () => {
  for (const { kind, description } of kinds) {
    it(`scores the Telco fixture with ${description}, matching the hand-computed probabilities`, async () => {
      const model = await loadModel(writeFixtureModel(dir, kind));
      try {
        expect(model.inputs.map((i) => [i.name, i.kind])).toEqual([
          ["Contract", "string"],
          ["tenure", "number"],
        ]);
        expect(model.hasContributions).toBe(false);
        expect(model.version).toBe(kind);
        expect(model.thresholds).toEqual(DEFAULT_RISK_THRESHOLDS);

        const { summary, output } = await scoreText(model, toCsv(telco.headers, telco.rows));
        expect(summary.rowsScored).toBe(TELCO_ROWS);
        expect(summary.rowsFailed).toBe(0);
        const rows = parse(output, { columns: true }) as Record<string, string>[];
        expect(rows).toHaveLength(TELCO_ROWS);
        const contract = telco.headers.indexOf("Contract");
        const tenure = telco.headers.indexOf("tenure");
        rows.forEach((row, i) => {
          const source = telco.rows[i]!;
          const expected = expectedProbability(source[contract]!, Number(source[tenure]));
          expect(row.customer_id).toBe(source[0]);
          expect(Math.abs(Number(row.churn_probability) - expected)).toBeLessThanOrEqual(0.00005 + 1e-6);
          expect(row.risk_level).toBe(expected >= 0.6 ? "High" : expected >= 0.3 ? "Medium" : "Low");
          expect(row.risk_factors).toBe("");
          expect(row.protective_factors).toBe("");
          expect(row.model_version).toBe(kind);
        });
        expect(summary.topRisks[0]!.riskFactors).toEqual([]);
      } finally {
        await model.release();
      }
    });
  }

  it("returns the positive-class probability of a ZipMap model from run() to float precision", async () => {
    const model = await loadModel(writeFixtureModel(dir, "zipmap"));
    try {
      const contracts = ["Month-to-month", "One year", "Two year", "Unknown plan"];
      const tenures = new Float32Array([1, 12, 60, 30]);
      const { probabilities, contributions } = await model.run({ Contract: contracts, tenure: tenures }, 4);
      expect(contributions).toBeUndefined();
      expect(probabilities).toHaveLength(4);
      contracts.forEach((c, i) => {
        expect(probabilities[i]).toBeCloseTo(expectedProbability(c, tenures[i]!), 6);
      });
    } finally {
      await model.release();
    }
  });

  it("fails a row whose blank numeric makes a non-imputing model return NaN, instead of writing NaN", async () => {
    const model = await loadModel(writeFixtureModel(dir, "column"));
    try {
      const { summary, output } = await scoreText(model, "customerID,Contract,tenure\na,One year,\nb,Two year,3\n", {
        maxBadRowShare: 0.5,
      });
      expect(summary.rowsScored).toBe(1);
      expect(summary.rowsFailed).toBe(1);
      expect(summary.meanProbability).toBeCloseTo(expectedProbability("Two year", 3), 6);
      expect(summary.rowErrors).toEqual([
        { row: 1, customerId: "a", reason: expect.stringContaining("the model returned no probability") },
      ]);
      expect(summary.topRisks.map((t) => t.customerId)).toEqual(["b"]);
      const [a, b] = parse(output, { columns: true }) as Record<string, string>[];
      expect(a).toMatchObject({ customer_id: "a", churn_probability: "", risk_level: "" });
      expect(a!.error).toContain("row 1: the model returned no probability");
      expect(b).toMatchObject({
        customer_id: "b",
        churn_probability: expectedProbability("Two year", 3).toFixed(4),
        error: "",
      });
    } finally {
      await model.release();
    }
  });

  it("rewrites a ZipMap graph output into the probability tensor it consumed", () => {
    const proto = decodeModel(buildFixtureModel("zipmap"));
    expect(unwrapZipMapOutputs(proto)).toBe(true);
    expect(proto.graph!.node!.some((n) => n.opType === "ZipMap")).toBe(false);
    expect(proto.graph!.output!.map((o) => o.name)).toEqual(["output_label", "probability_tensor"]);
    expect(unwrapZipMapOutputs(proto)).toBe(false);
  });

  it("leaves a model without ZipMap unchanged", () => {
    const proto = decodeModel(buildFixtureModel("tensor"));
    expect(unwrapZipMapOutputs(proto)).toBe(false);
    expect(proto.graph!.output!.map((o) => o.name)).toEqual(["probabilities"]);
  });

  it("rejects a file that is not an ONNX model with model.invalid", async () => {
    const path = join(dir, "not-a-model.onnx");
    writeFileSync(path, "customerID,tenure\n1,2\n");
    await expect(loadModel(path)).rejects.toMatchObject({ code: "model.invalid" });
  });

  it("rejects a missing model file with model.not_found and the path in the message", async () => {
    const path = join(dir, "nowhere.onnx");
    await expect(loadModel(path)).rejects.toMatchObject({
      code: "model.not_found",
      message: expect.stringContaining(path),
    });
  });
});
