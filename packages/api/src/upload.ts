import { Readable, Transform } from "node:stream";
import busboy from "busboy";
import { isRetainwiseError, RetainwiseError } from "@retainwise/core/errors";
import { ellipsize } from "@retainwise/core/text";
import { sniffCsv } from "@retainwise/core/csv";
import { formatBytes } from "./ui/assets/bytes.js";

/** Content types taken as a raw CSV body. Anything else but multipart is refused with 415. */
export const CSV_CONTENT_TYPES = ["text/csv", "application/csv", "text/plain"];
export const DEFAULT_FILENAME = "upload.csv";
export const DEFAULT_UPLOAD_IDLE_SECONDS = 30;

export interface IncomingUpload {
  filename: string;
  /** The file's bytes, guarded: errors with a RetainwiseError past the size cap or when the head is not CSV text. */
  body: Readable;
  /** Multipart text fields sent before the file part (the file is streamed, so later fields are not read). */
  fields: Record<string, string>;
}

/**
 * Turns the request into a stream of the uploaded file without buffering it: a raw `text/csv` body
 * as is, or the `file` part of a multipart form, parsed on the fly by busboy.
 */
export async function openUpload(
  request: Request,
  maxBytes: number,
  idleMs = DEFAULT_UPLOAD_IDLE_SECONDS * 1000,
): Promise<IncomingUpload> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw empty();
  const source = cutOffWhenIdle(
    Readable.fromWeb(request.body as import("node:stream/web").ReadableStream<Uint8Array>),
    idleMs,
  );
  if (type === "multipart/form-data") return multipartFile(source, request.headers, maxBytes);
  if (CSV_CONTENT_TYPES.includes(type)) {
    const name = new URL(request.url).searchParams.get("filename") ?? DEFAULT_FILENAME;
    return { filename: safeFilename(name), body: guard(source, maxBytes), fields: {} };
  }
  source.destroy();
  throw new RetainwiseError(
    "upload.unsupported_type",
    `Content-Type '${ellipsize(type) || "(none)"}' is not accepted. Send the CSV as 'text/csv' or as the 'file' field of a multipart/form-data form.`,
  );
}

/**
 * Other fields are read and dropped, within bounds: a form may carry a few small fields and files
 * besides `file` (in any order), never megabytes of them.
 */
const MULTIPART_LIMITS = { fields: 20, fieldSize: 8 * 1024, fieldNameSize: 200, files: 10, parts: 40 };

function multipartFile(source: Readable, headers: Headers, maxBytes: number): Promise<IncomingUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: Object.fromEntries(headers),
        limits: { ...MULTIPART_LIMITS, fileSize: maxBytes + 1 },
      });
    } catch (error) {
      source.destroy();
      return reject(badMultipart(error as Error));
    }
    let found = false;
    const fields: Record<string, string> = {};
    parser.on("field", (name, value) => {
      if (!found) fields[name] = value;
    });
    parser.on("file", (field, stream, info) => {
      if (field !== "file" || found) return stream.resume();
      found = true;
      resolve({
        filename: safeFilename(info.filename || DEFAULT_FILENAME),
        body: guard(stream, maxBytes, badMultipart),
        fields,
      });
    });
    parser.on("error", (error) => reject(badMultipart(error as Error)));
    for (const limit of ["partsLimit", "filesLimit", "fieldsLimit"] as const) {
      parser.on(limit, () =>
        parser.destroy(
          new Error(
            `it has more parts than the ${MULTIPART_LIMITS.parts} parts, ${MULTIPART_LIMITS.files} files or ${MULTIPART_LIMITS.fields} fields allowed`,
          ),
        ),
      );
    }
    parser.on("close", () => {
      if (!found)
        reject(
          new RetainwiseError(
            "upload.no_file",
            "The form has no 'file' field. Send the CSV as the 'file' field of the form.",
          ),
        );
    });
    source.on("error", (error) => parser.destroy(error));
    source.pipe(parser);
  });
}

/** A form busboy cannot read: no boundary, cut off mid-part, too many parts. */
function badMultipart(error: Error): RetainwiseError {
  if (isRetainwiseError(error)) return error;
  return new RetainwiseError(
    "upload.bad_multipart",
    `The multipart form could not be read: ${ellipsize(error.message, 200)}. Send the CSV as the 'file' field of a complete multipart/form-data form.`,
  );
}

/**
 * Destroys `source` with a 408 when no bytes arrive for `idleMs`: a stalled client is not waited
 * for. Time spent paused by our own backpressure (a slow store) is not the client's and re-arms it.
 * Call before piping `source` (the `data` listener sets it flowing).
 */
function cutOffWhenIdle(source: Readable, idleMs: number): Readable {
  const stalled = () => {
    if (source.readableFlowing === false) return void timer.refresh();
    source.destroy(
      new RetainwiseError(
        "upload.timeout",
        `The upload sent nothing for ${Math.round(idleMs / 1000)} seconds and was stopped. Check the connection and send the file again.`,
      ),
    );
  };
  const timer = setTimeout(stalled, idleMs);
  source.on("data", () => timer.refresh());
  source.once("close", () => clearTimeout(timer));
  return source;
}

/**
 * Counts bytes and checks the first chunk is CSV text (not an Excel file, image or zip), so a wrong
 * upload is refused in the first kilobytes rather than after gigabytes reach the store.
 */
function guard(source: Readable, maxBytes: number, translate: (error: Error) => Error = (error) => error): Readable {
  let bytes = 0;
  const guarded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (bytes === 0) {
        const problem = sniffProblem(chunk);
        if (problem) return done(problem);
      }
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge(maxBytes));
      done(null, chunk);
    },
    flush(done) {
      done(bytes === 0 ? empty() : null);
    },
  });
  source.on("error", (error) => guarded.destroy(translate(error)));
  // The guard can fail on the first chunk, before the store has attached to it; the store still
  // sees the error (streams remember it), but an unheard 'error' event would crash the process.
  guarded.on("error", () => {});
  return source.pipe(guarded);
}

function sniffProblem(head: Buffer): RetainwiseError | undefined {
  try {
    sniffCsv(head, false);
    return undefined;
  } catch (error) {
    if (isRetainwiseError(error) && error.code === "csv.empty") return undefined; // leading blank lines: the scorer decides
    return new RetainwiseError(
      "upload.not_csv",
      isRetainwiseError(error) ? error.message : "The upload is not CSV text.",
    );
  }
}

function tooLarge(maxBytes: number): RetainwiseError {
  return new RetainwiseError(
    "upload.too_large",
    `The upload is larger than the ${formatBytes(maxBytes)} limit. Split the file and upload the parts.`,
  );
}

function empty(): RetainwiseError {
  return new RetainwiseError(
    "upload.empty",
    "The upload is empty. Send a CSV with a header row and one row per customer.",
  );
}

function safeFilename(name: string): string {
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/[^\w.\- ]/g, "_")
    .slice(0, 200);
  return base || DEFAULT_FILENAME;
}
