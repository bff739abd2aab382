import type { ErrorCode } from "@retainwise/core/errors";
import type { BodyDoc, SuccessDoc } from "../openapi/route-docs.ts";
import type { GenericSchema } from "valibot";

/** What opening an upload may answer (upload.ts), before its first byte is read. */
export const UPLOAD_ERRORS: readonly ErrorCode[] = [
  "upload.empty",
  "upload.no_file",
  "upload.bad_multipart",
  "upload.timeout",
  "upload.too_large",
  "upload.unsupported_type",
  "upload.not_csv",
  "store.unavailable",
];

/** What reading a CSV's header may answer (csv/header.ts, csv/reader.ts, csv/sniff.ts). */
export const CSV_HEADER_ERRORS: readonly ErrorCode[] = [
  "csv.not_text",
  "csv.empty",
  "csv.no_header",
  "csv.header_too_long",
  "csv.duplicate_headers",
  "csv.unclosed_quote",
  "csv.invalid_quote",
];

/** A CSV upload: raw text/csv, or the `file` field of multipart/form-data (with `fields` before it). */
export function csvUpload(description: string, fields: readonly string[] = []): BodyDoc {
  const multipart = {
    type: "object",
    properties: {
      ...Object.fromEntries(fields.map((f) => [f, { type: "string" }])),
      file: { type: "string", format: "binary" },
    },
    required: ["file"],
  };
  return {
    media: ["text/csv", "multipart/form-data"],
    description,
    schema: { "text/csv": { type: "string" }, "multipart/form-data": multipart },
  };
}

export const json = (description: string, schema: GenericSchema): SuccessDoc => ({
  description,
  body: { json: schema },
});
export const svg = (description: string): SuccessDoc => ({
  description,
  body: { media: ["image/svg+xml"], description: "SVG image" },
});
export const created = (description: string, schema: GenericSchema, where: string): SuccessDoc => ({
  description,
  body: { json: schema },
  headers: { Location: where },
});
export const REDIRECT: SuccessDoc = {
  description: "Redirect to the URL (with ?redirect=1)",
  headers: { Location: "The presigned URL" },
};
