import { isUuid, RetainwiseError } from "@retainwise/core";

/** List cursors name the last row shown (its id, base64url): opaque to clients, checked on the way back. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!isUuid(id)) {
    throw new RetainwiseError(
      "request.invalid_cursor",
      "The cursor is not valid: pass the nextCursor value from the previous page unchanged.",
    );
  }
  return id;
}
