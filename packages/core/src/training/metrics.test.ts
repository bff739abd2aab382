import { describe, expect, it } from "vitest";
import { auc, classificationMetrics } from "./metrics.ts";

describe("classificationMetrics", () => {
  it("computes AUC as the share of positive/negative pairs ranked right, ties counting half", () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
    expect(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
  });

  it("computes Brier, accuracy, log loss and a calibration table that accounts for every row", () => {
    const m = classificationMetrics([0.2, 0.7, 0.9, 0.4], [0, 1, 0, 0]);
    expect(m.brier).toBeCloseTo((0.04 + 0.09 + 0.81 + 0.16) / 4, 12);
    expect(m.accuracy).toBeCloseTo(0.75, 12);
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.1) + Math.log(0.6)) / 4, 12);
    expect(m.calibration.reduce((s, b) => s + b.count, 0)).toBe(4);
    expect(m.rows).toBe(4);
  });
});
