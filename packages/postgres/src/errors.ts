import { RetainwiseError, TransientError } from "@retainwise/core";

/**
 * Turns a postgres.js failure into a domain error: connection problems and server states a retry
 * can fix become `TransientError` (the worker retries those through queue redelivery), everything
 * else an internal `db.error` (our fault: logged, answered 500, retried by the worker). The message never carries SQL text or parameters (postgres.js keeps
 * those as non-enumerable props of `cause`, which our logger never serializes).
 */
export function translateDbError(error: unknown, doing: string): RetainwiseError {
  if (error instanceof RetainwiseError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && isTransient(code)) {
    return new TransientError(
      "db.unavailable",
      `The database could not be reached while ${doing} (${code}); try again shortly.`,
      { cause: error },
    );
  }
  return new RetainwiseError(
    "db.error",
    `The database failed while ${doing}${typeof code === "string" ? ` (${code})` : ""}.`,
    { cause: error },
  );
}

/** Runs `work`, translating any database failure; use around every query an adapter exposes. */
export async function withDbErrors<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDbError(error, doing);
  }
}

// SQLSTATE classes a retry can fix: 08 connection exception, 53 insufficient resources,
// 57P01-57P03 admin/crash shutdown and cannot-connect-now, 57014 statement timeout (overload, a
// long lock wait), 40001/40P01 serialization and deadlock.
const TRANSIENT_SQLSTATE = /^(08|53)|^57P0[123]$|^57014$|^40001$|^40P01$/;
const TRANSIENT_CLIENT_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function isTransient(code: string): boolean {
  return TRANSIENT_CLIENT_CODES.has(code) || TRANSIENT_SQLSTATE.test(code);
}
