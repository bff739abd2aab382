import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { scoringThreads } from "./scoring-threads.ts";

describe("scoringThreads", () => {
  it("starts no more scoring threads than the machine has cores, however many are asked for", () => {
    expect(scoringThreads(64)).toBe(availableParallelism());
    expect(scoringThreads(availableParallelism() + 1)).toBe(availableParallelism());
  });

  it("starts as many as asked when the machine has the cores for them", () => {
    expect(scoringThreads(1)).toBe(1);
  });
});
