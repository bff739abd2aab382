import { describe, expect, it } from "vitest";
import { compareAucs, delongAuc } from "./delong.ts";
import { realizedPerformance, type LabeledRow } from "./performance.ts";

/** A seeded generator, so the data is the same every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Rows whose probability is informative but noisy, rounded to 2 decimals so ties occur. */
function rows(n: number, seed = 1): LabeledRow[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const churned = next() < 0.3;
    const probability =
      Math.round(Math.min(1, Math.max(0, (churned ? 0.55 : 0.35) + (next() - 0.5) * 0.6)) * 100) / 100;
    return { probability, churned };
  });
}

/** psi(x, y) over every (churned, stayed) pair: the definitions DeLong's components come from. */
function bruteForce(data: readonly LabeledRow[]) {
  const pos = data.filter((r) => r.churned).map((r) => r.probability);
  const neg = data.filter((r) => !r.churned).map((r) => r.probability);
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const v10 = pos.map((x) => neg.reduce((s, y) => s + psi(x, y), 0) / neg.length);
  const v01 = neg.map((y) => pos.reduce((s, x) => s + psi(x, y), 0) / pos.length);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const variance = (a: number[]) => a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / (a.length - 1);
  return { auc: mean(v10), variance: variance(v10) / pos.length + variance(v01) / neg.length };
}

describe("delongAuc", () => {
  it("equals the pairwise AUC and DeLong variance computed by brute force, ties included", () => {
    const data = rows(400);
    const fast = delongAuc(
      data.map((r) => r.probability),
      data.map((r) => r.churned),
    );
    const slow = bruteForce(data);
    expect(fast.auc).toBeCloseTo(slow.auc, 12);
    expect(fast.variance).toBeCloseTo(slow.variance, 14);
  });

  it("gives a zero difference with a zero-width interval for a score compared with itself", () => {
    const data = rows(300);
    const a = delongAuc(
      data.map((r) => r.probability),
      data.map((r) => r.churned),
    );
    const { difference, interval } = compareAucs(a, a);
    expect(difference).toBe(0);
    expect(interval[1] - interval[0]).toBeCloseTo(0, 12);
  });

  it("finds a better score better, with an interval above zero", () => {
    const data = rows(2000, 7);
    const labels = data.map((r) => r.churned);
    const noisy = delongAuc(
      data.map((r, i) => r.probability + random(i)() * 0.5),
      labels,
    );
    const sharp = delongAuc(
      data.map((r) => r.probability),
      labels,
    );
    const { difference, interval } = compareAucs(noisy, sharp);
    expect(difference).toBeGreaterThan(0);
    expect(interval[0]).toBeGreaterThan(0);
  });
});

describe("realizedPerformance", () => {
  it("says how many outcomes are missing while a class has fewer than 30 rows", () => {
    const data = rows(400)
      .filter((r) => !r.churned)
      .concat(Array.from({ length: 29 }, () => ({ probability: 0.9, churned: true })));
    const performance = realizedPerformance(data);
    expect(performance.status).toBe("not_enough_outcomes");
    expect(performance).toMatchObject({ churned: 29, message: "not enough outcomes yet (29 of 30)" });
    expect("auc" in performance).toBe(false);
  });

  it("reports AUC inside its interval, Brier, ten calibration groups covering every row, and lift", () => {
    const data = rows(1000, 3);
    const performance = realizedPerformance(data);
    if (performance.status !== "ready") throw new Error("expected numbers");
    const [low, high] = performance.auc.interval;
    expect(low).toBeLessThan(performance.auc.value);
    expect(high).toBeGreaterThan(performance.auc.value);
    expect(performance.brier).toBeCloseTo(
      data.reduce((s, r) => s + (r.probability - (r.churned ? 1 : 0)) ** 2, 0) / data.length,
      12,
    );
    expect(performance.calibration).toHaveLength(10);
    expect(performance.calibration.reduce((s, g) => s + g.count, 0)).toBe(1000);
    expect(performance.top.map((t) => t.rows)).toEqual([100, 200]);
    expect(performance.top[0]!.lift).toBeGreaterThan(1);
  });

  it("counts a tied run at the top-10% cut in proportion, whatever the row order", () => {
    // 100 rows: 5 at 0.9 (all churned), 10 tied at 0.5 of which 4 churned; the top 10 takes all 5 and half the tie.
    const data: LabeledRow[] = [
      ...Array.from({ length: 5 }, () => ({ probability: 0.9, churned: true })),
      ...Array.from({ length: 10 }, (_, i) => ({ probability: 0.5, churned: i < 4 })),
      ...Array.from({ length: 85 }, (_, i) => ({ probability: 0.1, churned: i < 31 })),
    ];
    const forward = realizedPerformance(data);
    const backward = realizedPerformance([...data].reverse());
    if (forward.status !== "ready" || backward.status !== "ready") throw new Error("expected numbers");
    expect(forward.top[0]).toMatchObject({ rows: 10, churned: 7, precision: 0.7 });
    expect(forward.top[0]!.lift).toBeCloseTo(0.7 / 0.4, 12);
    expect(backward.top).toEqual(forward.top);
    expect(backward.calibration).toEqual(forward.calibration);
  });
});
