import { describe, expect, it } from "vitest";
import { JOB_KINDS, jobMessage, parseJobMessage } from "./messages.ts";

const ID = "3f1c0a9e-5b7d-4c2e-9f00-000000000001";
const read = (message: unknown) => parseJobMessage(JSON.stringify(message));

describe("job messages", () => {
  it("round-trip every kind as {kind, id}", () => {
    for (const kind of JOB_KINDS) expect(read(jobMessage(kind, ID))).toEqual({ kind, id: ID });
  });

  it("read the shapes older releases sent as the current one", () => {
    expect(read({ predictionId: ID })).toEqual({ kind: "score", id: ID });
    expect(read({ kind: "score", predictionId: ID })).toEqual({ kind: "score", id: ID });
    expect(read({ kind: "train", modelId: ID })).toEqual({ kind: "train", id: ID });
  });

  it("treat unknown kinds, mismatched ids, extra fields and non-JSON as poison", () => {
    expect(read({ kind: "export", id: ID })).toBeUndefined();
    expect(read({ kind: "export", predictionId: ID })).toBeUndefined();
    expect(read({ kind: "train", predictionId: ID })).toBeUndefined();
    expect(read({ kind: "index-scores", predictionId: ID })).toBeUndefined();
    expect(read({ kind: "score", id: ID, extra: 1 })).toBeUndefined();
    expect(read({ kind: "score", id: "not-a-uuid" })).toBeUndefined();
    expect(read({ predictionId: "not-a-uuid" })).toBeUndefined();
    expect(parseJobMessage("{")).toBeUndefined();
  });
});
