import { describe, expect, it } from "vitest";
import { jobIdOf, jobMessage, parseJobMessage } from "./job-queue.ts";

const ID = "3f1c0a9e-5b7d-4c2e-9f00-000000000001";

describe("job messages", () => {
  it("read a message sent before kinds existed as a scoring job", () => {
    expect(parseJobMessage(JSON.stringify({ predictionId: ID }))).toEqual({ kind: "score", predictionId: ID });
  });

  it("round-trip both kinds and name the row they work on", () => {
    for (const kind of ["score", "train"] as const) {
      const message = parseJobMessage(JSON.stringify(jobMessage(kind, ID)));
      expect(message?.kind).toBe(kind);
      expect(jobIdOf(message!)).toBe(ID);
    }
  });

  it("treat unknown kinds, mismatched ids and non-JSON as poison", () => {
    expect(parseJobMessage(JSON.stringify({ kind: "export", predictionId: ID }))).toBeUndefined();
    expect(parseJobMessage(JSON.stringify({ kind: "train", predictionId: ID }))).toBeUndefined();
    expect(parseJobMessage(JSON.stringify({ predictionId: "not-a-uuid" }))).toBeUndefined();
    expect(parseJobMessage("{")).toBeUndefined();
  });
});
