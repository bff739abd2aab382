import { describe, expect, it } from "vitest";
import { compareChallenger, pairedRows } from "./challenger.ts";
import { delongAuc } from "./delong.ts";

/** A seeded generator, so the data is the same every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Customers whose churn both models see, the challenger with less noise than the champion. */
function scored(n: number, noise: { champion: number; challenger: number }) {
  const next = random(7);
  return Array.from({ length: n }, () => {
    const churned = next() < 0.3;
    const signal = churned ? 0.6 : 0.4;
    const clip = (p: number) => Math.min(1, Math.max(0, p));
    return {
      churned,
      probability: clip(signal + (next() - 0.5) * noise.champion),
      challengerProbability: clip(signal + (next() - 0.5) * noise.challenger),
    };
  });
}

describe("compareChallenger", () => {
  it("finds the sharper challenger better, its AUC difference the difference of the two AUCs with an interval above zero", () => {
    const rows = scored(2000, { champion: 1.2, challenger: 0.5 });
    const c = compareChallenger(rows);
    const labels = rows.map((r) => r.churned);
    const expected =
      delongAuc(
        rows.map((r) => r.challengerProbability),
        labels,
      ).auc -
      delongAuc(
        rows.map((r) => r.probability),
        labels,
      ).auc;
    expect(c.aucDifference!.value).toBeCloseTo(expected, 12);
    expect(c.aucDifference!.interval[0]).toBeGreaterThan(0);
    expect(c.better).toBe("challenger");
    expect(
      c.champion.status === "ready" && c.challenger.status === "ready" && c.challenger.auc.value > c.champion.auc.value,
    ).toBe(true);
  });

  it("says the champion is better when the challenger is the noisier one", () => {
    expect(compareChallenger(scored(2000, { champion: 0.5, challenger: 1.2 })).better).toBe("champion");
  });

  it("finds no clear difference between two equally good models", () => {
    const rows = scored(300, { champion: 0.9, challenger: 0.9 });
    const c = compareChallenger(rows);
    expect(c.better).toBe("no_clear_difference");
    expect(c.aucDifference!.interval[0]).toBeLessThan(0);
    expect(c.aucDifference!.interval[1]).toBeGreaterThan(0);
  });

  it("is paired: the interval of the difference is narrower than either model's own when both rank alike", () => {
    const rows = scored(1000, { champion: 0.8, challenger: 0.8 }).map((r) => ({
      ...r,
      challengerProbability: Math.min(1, r.probability + 0.01),
    }));
    const c = compareChallenger(rows);
    const width = ([a, b]: [number, number]) => b - a;
    expect(c.champion.status).toBe("ready");
    if (c.champion.status !== "ready") return;
    expect(width(c.aucDifference!.interval)).toBeLessThan(width(c.champion.auc.interval) / 2);
  });

  it("waits for 30 of each class before comparing", () => {
    const c = compareChallenger(scored(60, { champion: 1, challenger: 1 }));
    expect(c.aucDifference).toBeNull();
    expect(c.better).toBeNull();
    expect(c.champion).toMatchObject({ status: "not_enough_outcomes" });
  });

  it("keeps only the rows the challenger scored", () => {
    const rows = [
      { probability: 0.2, challengerProbability: null, churned: true },
      { probability: 0.3, challengerProbability: 0.4, churned: false },
    ];
    expect(pairedRows(rows)).toEqual([rows[1]]);
  });
});
