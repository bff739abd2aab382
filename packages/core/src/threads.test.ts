import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { defaultThreads, threadsForMachine } from "./threads.ts";

describe("threadsForMachine", () => {
  it("starts no more threads than the machine has cores, however many are asked for", () => {
    expect(threadsForMachine(64)).toBe(availableParallelism());
    expect(threadsForMachine(availableParallelism() + 1)).toBe(availableParallelism());
  });

  it("starts as many as asked when the machine has the cores for them, and at least one", () => {
    expect(threadsForMachine(1)).toBe(1);
    expect(threadsForMachine(0)).toBe(1);
  });
});

describe("defaultThreads", () => {
  it("is every core, at most 4", () => {
    expect(defaultThreads()).toBe(Math.min(4, availableParallelism()));
  });
});
