import { describe, expect, test } from "vitest";
import type { ModelCard, TermTablesCard } from "@retainwise/core/model/card";
import { IMPORTANCE_BARS, renderModelChart, termImportance } from "./model-charts.ts";
import { card, common } from "./test-card.ts";

describe("termImportance", () => {
  test("ranks terms by the swing of their table, pair terms named after both columns", () => {
    const ranked = termImportance(card);
    expect(ranked.map((t) => t.label)).toEqual(["Tenure (months) × Plan <Pro & Team>", "Tenure (months)", "Autopay"]);
    expect(ranked[0]).toMatchObject({ kind: "pair" });
    expect(ranked[0]!.importance).toBeCloseTo(2.0);
    expect(ranked[1]!.importance).toBeCloseTo(1.5);
  });

  test("uses the trainer's measured importance when there is one number per term", () => {
    expect(termImportance(card, [0.1, 0.5, 0.2]).map((t) => t.label)).toEqual([
      "Autopay",
      "Tenure (months) × Plan <Pro & Team>",
      "Tenure (months)",
    ]);
  });

  test("ignores a measured importance that does not fit the card's terms", () => {
    expect(termImportance(card, [0.1, 0.5]).map((t) => t.label)[0]).toBe("Tenure (months) × Plan <Pro & Team>");
    expect(termImportance(card, ["a", "b", "c"]).map((t) => t.label)[0]).toBe("Tenure (months) × Plan <Pro & Team>");
  });
});

describe("renderModelChart", () => {
  test("the importance chart draws one bar per term, pair terms marked, labels escaped", () => {
    const svg = renderModelChart("importance", { card });
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg.match(/<rect [^>]*data-kind="/g)).toHaveLength(3);
    expect(svg.match(/data-kind="pair"/g)).toHaveLength(1);
    expect(svg).toContain("Plan &lt;Pro &amp; Team&gt;");
    expect(svg).not.toContain("<Pro");
    // The widest bar is the most important term, and its odds factor is exp(2.0).
    expect(svg).toContain(`×${Math.exp(2).toFixed(1)}`);
  });

  test("the importance chart draws at most a dozen bars and says how many it left out", () => {
    const many: TermTablesCard = {
      ...card,
      terms: Array.from({ length: IMPORTANCE_BARS + 3 }, (_, i) => ({
        kind: "main" as const,
        inputs: [0] as [number],
        table: [0, i, 0, 0],
      })),
    };
    const svg = renderModelChart("importance", { card: many });
    expect(svg.match(/<rect [^>]*data-kind="/g)).toHaveLength(IMPORTANCE_BARS);
    expect(svg).toContain("3 smaller terms not drawn");
  });

  test("a card without terms (a column-per-input model) gets a chart that says so", () => {
    const legacy: ModelCard = { ...common, inputs: [{ name: "tenure", type: "float" }] };
    const svg = renderModelChart("importance", { card: legacy });
    expect(svg).toContain("does not describe its terms");
    expect(svg).toMatch(/^<svg data-empty="true"/);
    expect(svg).not.toContain("data-kind");
  });

  test("the calibration plot puts one point per bin where predicted meets observed, sized by count", () => {
    const svg = renderModelChart("calibration", { card });
    const points = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"[^>]*data-count="(\d+)"/g)].map(
      (m) => m.slice(1).map(Number),
    );
    expect(points).toHaveLength(3);
    const [low, mid, high] = points as [number[], number[], number[]];
    expect(low[0]!).toBeLessThan(mid[0]!);
    expect(mid[0]!).toBeLessThan(high[0]!);
    // SVG y grows downwards: a higher observed churn rate sits higher on the page.
    expect(mid[1]!).toBeLessThan(low[1]!);
    expect(low[2]!).toBeGreaterThan(high[2]!);
    expect(svg).toContain('class="reference"');
    expect(svg).toContain("Predicted 45.0%, churned 50.0% of 30 customers");
  });

  test("the calibration plot prefers the metrics the API stored over the card's copy", () => {
    const metrics = {
      heldOut: { calibration: [{ binStart: 0.2, binEnd: 0.3, count: 7, meanPredicted: 0.25, observedRate: 0.3 }] },
    };
    const svg = renderModelChart("calibration", { card, metrics });
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain("of 7 customers");
  });

  test("a model without calibration gets a chart that says so", () => {
    expect(renderModelChart("calibration", { card: null, metrics: null })).toContain("No held-out calibration");
  });
});
