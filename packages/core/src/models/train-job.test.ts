import { describe, expect, it } from "vitest";
import type { TrainingProgress } from "./model.ts";
import { trainingProgress } from "./train-job.ts";

describe("a training job's progress", () => {
  it("follows the fit's own percent, so a long fit keeps moving for the no-progress watchdog", () => {
    const seen: TrainingProgress[] = [];
    const step = trainingProgress({ progress: (p) => seen.push(p) });
    step({ step: "read training file", fields: { rows: 100_000 } });
    for (let percent = 0; percent <= 100; percent++)
      step({ step: "fit", fields: { phase: percent < 50 ? "boost" : "refit boost", percent } });
    step({ step: "exported", fields: {} });
    const percents = seen.map((p) => p.percent);
    expect(percents.every((p, k) => k === 0 || p >= percents[k - 1]!)).toBe(true);
    // Every 2 points of the fit move the job: never a long run of identical progress.
    const fit = percents.slice(1, 102);
    expect(fit.every((p, k) => k < 2 || p > fit[k - 2]!)).toBe(true);
    expect(fit[0]).toBe(10);
    expect(fit.at(-1)).toBe(95);
  });
});
