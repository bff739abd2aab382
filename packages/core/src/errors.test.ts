import { describe, expect, it } from "vitest";
import { RetainwiseError, TransientError } from "./errors.ts";

describe("RetainwiseError", () => {
  it("is permanent unless said otherwise, and transient errors are not", () => {
    expect(new RetainwiseError("x", "y").permanent).toBe(true);
    expect(new TransientError("x", "y").permanent).toBe(false);
  });
});
