import { describe, expect, it } from "vitest";
import { RetainwiseError } from "../../errors.ts";
import type { CategoricalInputSpec, TermModel } from "../../model/term-model.ts";
import { binCount, binOf } from "../../model/term-model.ts";
import { scoreTermModel } from "../../model/term-scoring.ts";
import { mulberry32 } from "../split.ts";
import type { TrainingTable } from "../table.ts";
import { tableCodes } from "./codes.ts";
import { fitTermModel } from "./fit.ts";
import { syntheticChurnTable } from "./synthetic-table.ts";

/** Small but enough for every behaviour below; few bags keep the suite quick. */
const QUICK = { bags: 4, refitMaxRows: 0 } as const;

/** Reference scoring (float64) of one row: its contributions in term order and its log-odds. */
function scoreRow(
  model: TermModel,
  table: TrainingTable,
  row: number,
): { contributions: Float64Array; logOdds: number; probability: number } {
  const { contributions, logOdds } = scoreTermModel(model, tableCodes(model, table, [row]), 1);
  return { contributions, logOdds: logOdds[0]!, probability: 1 / (1 + Math.exp(-logOdds[0]!)) };
}

const table = syntheticChurnTable({ rows: 3000, seed: 7 });
const result = await fitTermModel(table, QUICK);

describe("fitTermModel", () => {
  it("gives held-out probabilities whose log-odds equal the intercept plus the looked-up contributions to 1e-6", () => {
    expect(result.split.heldOut.length).toBe(result.heldOutProbabilities.length);
    result.split.heldOut.forEach((row, k) => {
      const score = scoreRow(result.model, table, row);
      const p = result.heldOutProbabilities[k]!;
      expect(score.contributions.reduce((sum, c) => sum + c, result.model.intercept)).toBeCloseTo(
        Math.log(p / (1 - p)),
        6,
      );
      expect(score.logOdds).toBeCloseTo(Math.log(p / (1 - p)), 6);
    });
  });

  it("centres every table on the training rows, so a term's mean contribution is 0", () => {
    const rows = result.split.train;
    result.model.terms.forEach((_, t) => {
      const mean = rows.reduce((sum, r) => sum + scoreRow(result.model, table, r).contributions[t]!, 0) / rows.length;
      expect(Math.abs(mean)).toBeLessThan(1e-9);
    });
  });

  it("sizes every table by the bins of its inputs", () => {
    for (const term of result.model.terms) {
      if (term.kind === "path") continue;
      expect(term.table.length).toBe(term.inputs.reduce((n, i) => n * binCount(result.model.inputs[i]!), 1));
    }
  });

  it("learns the planted effects well enough to rank held-out customers", () => {
    expect(result.heldOut.auc).toBeGreaterThan(0.7);
    expect(result.importances[0]!.meanAbsContribution).toBeGreaterThan(result.importances.at(-1)!.meanAbsContribution);
    expect(result.importances.find((i) => i.name === "noise_a")!.meanAbsContribution).toBeLessThan(
      result.importances.find((i) => i.name === "tenure")!.meanAbsContribution,
    );
  });

  it("folds a level seen in fewer than minCategoryRows rows into other", () => {
    const region = result.model.inputs.find((i) => i.name === "region") as CategoricalInputSpec;
    expect(region.categories).not.toContain("Rare");
    expect(region.categories).toContain("North");
    const rareRow = Array.from(table.inputs[12]!.role === "numeric" ? [] : table.inputs[12]!.codes).indexOf(2);
    expect(rareRow).toBeGreaterThanOrEqual(0);
    expect(binOf(region, tableCodes(result.model, table, [rareRow])[12]!)).toBe(region.categories.length + 1);
  });

  it("gives the same model, to the byte, for the same table and seed", async () => {
    const again = await fitTermModel(syntheticChurnTable({ rows: 3000, seed: 7 }), QUICK);
    expect(again.model).toEqual(result.model);
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(result.model));
  });
});

describe("fitTermModel on a pure interaction", () => {
  it("finds the pair when each input alone says nothing (XOR)", async () => {
    const random = mulberry32(3);
    const rows = 2000;
    const x = Float64Array.from({ length: rows }, () => random());
    const z = Float64Array.from({ length: rows }, () => random());
    const noise = Float64Array.from({ length: rows }, () => random());
    const labels = Uint8Array.from({ length: rows }, (_, r) =>
      (x[r]! > 0.5 !== z[r]! > 0.5 ? random() < 0.9 : random() < 0.1) ? 1 : 0,
    );
    const numeric = (name: string, values: Float64Array) => ({ role: "numeric" as const, name, label: name, values });
    const table: TrainingTable = { rows, labels, inputs: [numeric("x", x), numeric("noise", noise), numeric("z", z)] };
    const { model, heldOut, importances } = await fitTermModel(table, QUICK);
    const pair = model.terms.findIndex((t) => t.kind === "pair" && t.inputs[0] === 0 && t.inputs[1] === 2);
    expect(pair).toBeGreaterThanOrEqual(0);
    expect(importances[0]!.name).toBe("x × z");
    expect(heldOut.auc).toBeGreaterThan(0.85);
  });
});

describe("fitTermModel's pairs", () => {
  it("keeps a real interaction and no pair where the label follows one input alone", async () => {
    const random = mulberry32(5);
    const rows = 2000;
    const columns = ["x", "z", "w", "v"].map((name) => ({
      role: "numeric" as const,
      name,
      label: name,
      values: Float64Array.from({ length: rows }, () => random()),
    }));
    const [x, z] = [columns[0]!.values, columns[1]!.values];
    const xor = Uint8Array.from({ length: rows }, (_, r) =>
      (x[r]! > 0.5 !== z[r]! > 0.5 ? random() < 0.9 : random() < 0.1) ? 1 : 0,
    );
    const additive = Uint8Array.from({ length: rows }, (_, r) => (random() < 0.2 + 0.6 * x[r]! ? 1 : 0));
    const pairsOf = async (labels: Uint8Array) =>
      (await fitTermModel({ rows, labels, inputs: columns }, QUICK)).model.terms.filter((t) => t.kind === "pair");
    expect((await pairsOf(xor)).map((t) => t.inputs)).toContainEqual([0, 1]);
    expect(await pairsOf(additive)).toEqual([]);
  });
});

describe("fitTermModel's derived sums", () => {
  it("keeps the sum of same-unit columns when the label follows the total, not any one column, and scores it exactly", async () => {
    const random = mulberry32(9);
    const rows = 3000;
    const names = ["day_charge", "eve_charge", "night_charge", "service_calls"];
    const columns = names.map((name) => ({
      role: "numeric" as const,
      name,
      label: name,
      values: Float64Array.from({ length: rows }, () => Math.round(random() * 1000) / 100),
    }));
    const total = (r: number) => columns[0]!.values[r]! + columns[1]!.values[r]! + columns[2]!.values[r]!;
    const labels = Uint8Array.from({ length: rows }, (_, r) => (random() < (total(r) > 20 ? 0.85 : 0.08) ? 1 : 0));
    const table: TrainingTable = { rows, labels, inputs: columns };
    const { model, heldOut, split, heldOutProbabilities, importances } = await fitTermModel(table, QUICK);
    expect(model.derived?.map((d) => d.sumOf)).toContainEqual([0, 1, 2]);
    expect(importances[0]!.name).toBe("day_charge+eve_charge+night_charge");
    expect(heldOut.auc).toBeGreaterThan(0.8);
    split.heldOut.forEach((row, k) => {
      const p = heldOutProbabilities[k]!;
      expect(scoreRow(model, table, row).logOdds).toBeCloseTo(Math.log(p / (1 - p)), 6);
    });
  });
});

describe("fitTermModel with 5% churners", () => {
  it("keeps the mean predicted probability at the base rate", async () => {
    const table = syntheticChurnTable({ rows: 3000, seed: 11, shift: -3 });
    const rate = table.labels.reduce((n, y) => n + y, 0) / table.rows;
    expect(rate).toBeGreaterThan(0.03);
    expect(rate).toBeLessThan(0.08);
    const { model, heldOut, heldOutProbabilities, split } = await fitTermModel(table, {
      ...QUICK,
      refitMaxRows: Infinity,
    });
    const meanAll =
      Array.from({ length: table.rows }, (_, r) => scoreRow(model, table, r).probability).reduce((a, b) => a + b, 0) /
      table.rows;
    expect(Math.abs(meanAll - rate)).toBeLessThan(0.005);
    const heldOutRate = split.heldOut.reduce((n, r) => n + table.labels[r]!, 0) / split.heldOut.length;
    const meanHeldOut = heldOutProbabilities.reduce((a, b) => a + b, 0) / heldOutProbabilities.length;
    expect(Math.abs(meanHeldOut - heldOutRate)).toBeLessThan(0.01);
    expect(heldOut.brier).toBeLessThan(rate * (1 - rate));
  }, 300_000);
});

describe("fitTermModel limits", () => {
  it("refuses more rows than maxRows with train.too_many_rows", async () => {
    const table = syntheticChurnTable({ rows: 200, seed: 1 });
    const error = await fitTermModel(table, { maxRows: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetainwiseError);
    expect((error as RetainwiseError).message).toMatch(/at most 100/);
    expect((error as RetainwiseError).code).toBe("train.too_many_rows");
  });

  it("reports progress from 0 to 100 percent, never going back", async () => {
    const seen: number[] = [];
    await fitTermModel(syntheticChurnTable({ rows: 600, seed: 2 }), {
      bags: 2,
      onProgress: (p) => seen.push(p.percent),
    });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
    expect(seen.every((p, k) => k === 0 || p >= seen[k - 1]!)).toBe(true);
  });
});

describe("fitTermModel's forest", () => {
  it("learns a three-input interaction that no pair holds, credits it to those three inputs, and scores it exactly", async () => {
    const random = mulberry32(13);
    const rows = 4000;
    const columns = ["x", "z", "w", "noise"].map((name) => ({
      role: "numeric" as const,
      name,
      label: name,
      values: Float64Array.from({ length: rows }, () => random()),
    }));
    const high = (c: number, r: number) => columns[c]!.values[r]! > 0.5;
    // Parity of three halves: every one input and every pair alone says nothing of the label.
    const labels = Uint8Array.from({ length: rows }, (_, r) =>
      random() < ((high(0, r) !== high(1, r)) !== high(2, r) ? 0.9 : 0.1) ? 1 : 0,
    );
    const table: TrainingTable = { rows, labels, inputs: columns };
    const without = await fitTermModel(table, { ...QUICK, forestLeaves: 0 });
    const { model, heldOut, importances, split, heldOutProbabilities } = await fitTermModel(table, QUICK);
    expect(without.model.forest).toBeUndefined();
    expect(without.heldOut.auc).toBeLessThan(0.7);
    expect(heldOut.auc).toBeGreaterThan(0.85);
    const credited = importances.filter((i) => model.terms[i.term]!.kind === "path");
    expect(
      credited
        .slice(0, 3)
        .map((i) => i.name)
        .sort(),
    ).toEqual(["w", "x", "z"]);
    split.heldOut.forEach((row, k) => {
      const p = heldOutProbabilities[k]!;
      expect(scoreRow(model, table, row).logOdds).toBeCloseTo(Math.log(p / (1 - p)), 6);
    });
  });
});
