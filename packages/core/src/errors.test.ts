import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_KINDS, kindOf, NotFoundError, RetainwiseError, TransientError } from "./errors.ts";

describe("RetainwiseError", () => {
  it("takes its kind from its code, and only unavailable and internal errors are worth a retry", () => {
    expect(new RetainwiseError("csv.missing_columns", "y")).toMatchObject({ kind: "input", permanent: true });
    expect(new RetainwiseError("db.error", "y")).toMatchObject({ kind: "internal", permanent: false });
    expect(new TransientError("store.unavailable", "y")).toMatchObject({ kind: "unavailable", permanent: false });
    expect(new NotFoundError("The object")).toMatchObject({
      code: "store.not_found",
      kind: "not_found",
      permanent: true,
    });
  });

  it("has one kind per code wherever it is thrown: model.not_ready is a conflict", () => {
    expect(new RetainwiseError("model.not_ready", "y").kind).toBe("conflict");
    expect(kindOf("request.invalid_limit")).toBe("input");
  });
});

describe("ERROR_CODES", () => {
  it("gives every code a known kind and spells every not-found code <thing>.not_found", () => {
    for (const [code, kind] of Object.entries(ERROR_CODES)) {
      expect(ERROR_KINDS).toContain(kind);
      if (kind === "not_found") expect(code).toMatch(/^[a-z_]+\.not_found$/);
    }
  });
});
