import { createHmac, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import {
  errorBody,
  NotFoundError,
  RetainwiseError,
  STATUS_OF_KIND,
  type ErrorCode,
  type ObjectStore,
} from "@retainwise/core";

/**
 * Expiring download links for the files-on-disk store, served by the API's `GET /files/*`:
 *
 *   `${publicBaseUrl}/files/<key>?expires=<unix seconds>&filename=<name>&signature=<hex>`
 *
 * `<key>` is the object key with each `/`-separated segment percent-encoded; `filename` is the
 * percent-encoded name for `Content-Disposition`; `signature` is the lowercase hex
 * HMAC-SHA256(signingSecret, `${key}\n${expires}\n${filename}`) over the decoded values. Changing
 * any of the three, or using the link after `expires`, fails verification (the API answers 403).
 */
export function signDownload(input: {
  publicBaseUrl: string;
  key: string;
  filename: string;
  expires: number;
  signingSecret: string;
}): string {
  const path = input.key.split("/").map(encodeURIComponent).join("/");
  const query = new URLSearchParams({
    expires: String(input.expires),
    filename: input.filename,
    signature: signature(input.signingSecret, input.key, input.expires, input.filename),
  });
  return `${input.publicBaseUrl.replace(/\/+$/, "")}/files/${path}?${query}`;
}

export type DownloadVerification =
  | { ok: true; key: string; filename: string; expiresAt: Date }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

/**
 * Checks a download request URL (absolute, or path + query) made by `signDownload`: signature
 * compared in constant time, then expiry. Only an `ok` result may be served.
 *
 * @example
 *   app.get("/files/*", (c) => {
 *     const check = verifyDownloadSignature(c.req.url, secret);
 *     return check.ok ? serve(check.key, check.filename) : c.json({ error: { code: "download.forbidden", ... } }, 403);
 *   });
 */
export function verifyDownloadSignature(
  requestUrl: string | URL,
  signingSecret: string,
  now: Date = new Date(),
): DownloadVerification {
  const parsed = parseDownloadUrl(requestUrl);
  if (!parsed) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(signature(signingSecret, parsed.key, parsed.expires, parsed.filename), "hex");
  const given = Buffer.from(parsed.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad_signature" };
  if (parsed.expires * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, key: parsed.key, filename: parsed.filename, expiresAt: new Date(parsed.expires * 1000) };
}

/** The code of each reason a link is refused. */
const REFUSED: Record<"malformed" | "bad_signature" | "expired", ErrorCode> = {
  malformed: "download.malformed",
  bad_signature: "download.bad_signature",
  expired: "download.expired",
};

/**
 * The whole `GET /files/*` answer as a web `Response` (Hono route handlers can return it as is):
 * 403 for a tampered or expired link, 404 when the file is gone, else 200 streaming the file as an
 * attachment. Never buffers the file.
 */
export async function serveSignedDownload(
  store: ObjectStore,
  requestUrl: string | URL,
  signingSecret: string,
): Promise<Response> {
  const check = verifyDownloadSignature(requestUrl, signingSecret);
  if (!check.ok) {
    const message =
      check.reason === "expired"
        ? "This download link has expired; request a new one."
        : "This download link is not valid.";
    return errorResponse(new RetainwiseError(REFUSED[check.reason], message));
  }
  try {
    const info = await store.head(check.key);
    if (!info) throw new NotFoundError("The file");
    const body = Readable.toWeb(await store.get(check.key)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": info.contentType ?? "text/csv; charset=utf-8",
        "content-length": String(info.bytes),
        "content-disposition": contentDisposition(check.filename),
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return errorResponse(new RetainwiseError("store.not_found", "This file no longer exists."));
  }
}

const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

function signature(secret: string, key: string, expires: number, filename: string): string {
  return createHmac("sha256", secret).update(`${key}\n${expires}\n${filename}`).digest("hex");
}

function parseDownloadUrl(
  requestUrl: string | URL,
): { key: string; expires: number; filename: string; signature: string } | null {
  let url: URL;
  try {
    url = new URL(requestUrl, "http://localhost");
  } catch {
    return null;
  }
  const at = url.pathname.indexOf("/files/");
  if (at < 0) return null;
  let key: string;
  try {
    key = url.pathname
      .slice(at + "/files/".length)
      .split("/")
      .map(decodeURIComponent)
      .join("/");
  } catch {
    return null;
  }
  const expires = Number(url.searchParams.get("expires"));
  const filename = url.searchParams.get("filename");
  const sig = url.searchParams.get("signature") ?? "";
  if (!key || !Number.isSafeInteger(expires) || filename === null || !HEX_SIGNATURE.test(sig)) return null;
  return { key, expires, filename, signature: sig };
}

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name (RFC 5987 `filename*`). */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** An error as the API answers it (the same body and status table), for a link served on its own. */
function errorResponse(error: RetainwiseError): Response {
  return Response.json(errorBody(error), { status: STATUS_OF_KIND[error.kind] });
}
