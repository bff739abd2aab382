import { describe, expect, it } from "vitest";
import { normalQuantile } from "./pair-selection.ts";

describe("normalQuantile", () => {
  it("inverts the standard normal distribution to 1e-6", () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 5);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959964, 5);
  });
});
