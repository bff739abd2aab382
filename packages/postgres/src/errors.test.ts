import { expect, test } from "vitest";
import { RetainwiseError, TransientError } from "@retainwise/core";
import { translateDbError } from "./errors.ts";

const pgError = (code: string) => Object.assign(new Error(`server said ${code} for select secret_column`), { code });

test.each(["08006", "57P01", "53300", "40P01", "40001", "ECONNREFUSED", "CONNECTION_CLOSED", "CONNECT_TIMEOUT"])(
  "%s is transient: a retry may succeed",
  (code) => {
    const error = translateDbError(pgError(code), "reading a prediction");
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "db.unavailable", permanent: false });
  },
);

test.each(["23505", "22P02", "42P01"])(
  "%s is an internal error: our fault, never the customer's data, so a job retries it",
  (code) => {
    const error = translateDbError(pgError(code), "reading a prediction");
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "db.error", kind: "internal", permanent: false });
  },
);

test("the message names what we were doing but never the server's text (which may quote SQL or values)", () => {
  const error = translateDbError(pgError("23505"), "creating a prediction");
  expect(error.message).toContain("creating a prediction");
  expect(error.message).not.toContain("secret_column");
  expect(error.cause).toBeInstanceOf(Error);
});

test("domain errors pass through unchanged", () => {
  const original = new RetainwiseError("request.invalid_cursor", "bad cursor");
  expect(translateDbError(original, "listing")).toBe(original);
});
