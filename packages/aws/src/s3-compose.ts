import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ComposePart, PutOptions } from "@retainwise/core";
import { withAwsErrors } from "./errors.ts";

/** S3's rule: every part of a multipart upload but the last is at least this. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** The most one UploadPartCopy (and one part) may hold. */
export const MAX_PART_BYTES = 5 * 1024 ** 3;
/** Streamed bytes are uploaded in parts of this size: what this process holds of them at most. */
const STREAM_PART_BYTES = 8 * 1024 * 1024;
/** UploadPartCopy requests of one compose at once. */
const COPIES_IN_FLIGHT = 8;

export interface ComposeTarget {
  client: S3Client;
  bucket: string;
  /** The object key in the bucket (prefix applied), and how to make a part's key one. */
  key: string;
  objectKey(key: string): string;
  /**
   * Default true. False for an S3-compatible store without UploadPartCopy (fauxqs 1.9.2 stores a
   * copy request's empty body as the part): a stored part is then read with ranged GETs and
   * uploaded, in the same parts.
   */
  serverSideCopy: boolean;
}

/**
 * One multipart upload whose parts are the stored parts themselves where S3's rule allows: a stored
 * part of at least MIN_PART_BYTES is copied by UploadPartCopy (in ranges of at most MAX_PART_BYTES),
 * so its bytes never pass through this task. Bytes that cannot stand as a part of their own — a
 * streamed part, a stored part smaller than MIN_PART_BYTES, or what is pending before a stored part —
 * are gathered here into parts of STREAM_PART_BYTES; a stored part after pending bytes first lends
 * them its head (a ranged GET of at most MIN_PART_BYTES) so that they make a whole part, and the
 * rest of it is copied. Any failure or abort aborts the upload: no incomplete upload is left.
 */
export async function composeObject(
  target: ComposeTarget,
  parts: readonly ComposePart[],
  options: PutOptions = {},
): Promise<{ bytes: number }> {
  const { client, bucket, key } = target;
  const signal = options.signal;
  const sendOptions = signal ? { abortSignal: signal } : {};
  const created = await withAwsErrors(`starting ${key}`, () =>
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: options.contentType ?? "application/octet-stream",
      }),
      sendOptions,
    ),
  );
  const uploadId = created.UploadId!;
  // Part numbers are handed out in file order; copies run COPIES_IN_FLIGHT at a time (S3 copies a
  // part at a few hundred MB/s, so a merge of many shards is as fast as they run side by side).
  const completed: Promise<CompletedPart>[] = [];
  const copying = new Set<Promise<void>>();
  const pending = new Pending();
  let bytes = 0;
  const uploadPending = async (size: number) => {
    const body = pending.take(size);
    const PartNumber = completed.length + 1;
    const uploaded = withAwsErrors(`uploading part ${PartNumber} of ${key}`, () =>
      client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber,
          Body: body,
          ContentLength: body.length,
        }),
        sendOptions,
      ),
    ).then((result) => ({ PartNumber, ETag: result.ETag! }));
    completed.push(uploaded);
    await uploaded;
  };
  // Whole STREAM_PART_BYTES go up as they arrive; what is left waits for the next step (a part of its own then, or the last).
  const readRange = async (source: string, start: number, end: number) => {
    const result = await withAwsErrors(`reading ${source}`, () =>
      client.send(
        new GetObjectCommand({ Bucket: bucket, Key: target.objectKey(source), Range: `bytes=${start}-${end - 1}` }),
        sendOptions,
      ),
    );
    for await (const chunk of result.Body as Readable) {
      pending.add(chunk as Buffer);
      while (pending.size >= STREAM_PART_BYTES) await uploadPending(STREAM_PART_BYTES);
    }
  };
  const copyRange = async (source: string, start: number, end: number) => {
    if (!target.serverSideCopy) return readRange(source, start, end);
    const PartNumber = completed.length + 1;
    const CopySource = `${bucket}/${encodeURIComponent(target.objectKey(source)).replace(/%2F/g, "/")}`;
    const copied = withAwsErrors(`copying ${source} into part ${PartNumber} of ${key}`, () =>
      client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber,
          CopySource,
          CopySourceRange: `bytes=${start}-${end - 1}`,
        }),
        sendOptions,
      ),
    ).then((result) => ({ PartNumber, ETag: result.CopyPartResult!.ETag! }));
    completed.push(copied);
    // Its failure is awaited with every part's below; here it only frees a slot.
    const slot: Promise<void> = copied.then(
      () => void copying.delete(slot),
      () => void copying.delete(slot),
    );
    copying.add(slot);
    if (copying.size >= COPIES_IN_FLIGHT) await Promise.race(copying);
  };
  try {
    for (const [index, part] of parts.entries()) {
      signal?.throwIfAborted();
      if (!("key" in part)) {
        for await (const chunk of await part.open()) {
          const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
          pending.add(buffer);
          bytes += buffer.length;
          while (pending.size >= STREAM_PART_BYTES) await uploadPending(STREAM_PART_BYTES);
        }
        continue;
      }
      bytes += part.bytes;
      const last = index === parts.length - 1;
      for (const step of copyPlan(pending.size, part.bytes, last)) {
        if ("read" in step) await readRange(part.key, ...step.read);
        else if ("copy" in step) await copyRange(part.key, ...step.copy);
        else await uploadPending(pending.size);
      }
    }
    // The last part may be of any size, even empty when nothing else was written.
    if (pending.size > 0 || completed.length === 0) await uploadPending(pending.size);
    const done = await Promise.all(completed);
    await withAwsErrors(`completing ${key}`, () =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
        }),
        sendOptions,
      ),
    );
    return { bytes };
  } catch (error) {
    await Promise.allSettled(completed);
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => {});
    throw error;
  }
}

/**
 * A step of adding a stored part: read bytes [start, end) of it into the pending bytes, upload the
 * pending bytes as a part, or copy bytes [start, end) of it as a part of their own.
 */
export type CopyStep = { read: [number, number] } | { flush: true } | { copy: [number, number] };

/**
 * How a stored part of `bytes` joins an upload with `pending` bytes waiting to be a part. Pending
 * bytes are topped up to MIN_PART_BYTES from the part's head and uploaded; the rest is copied in
 * ranges of at most MAX_PART_BYTES, each at least MIN_PART_BYTES, unless it is too small to stand
 * alone (and is not the upload's last part), when it is read into the pending bytes instead.
 */
export function copyPlan(pending: number, bytes: number, last: boolean): CopyStep[] {
  const steps: CopyStep[] = [];
  let at = 0;
  if (pending > 0) {
    at = Math.min(bytes, Math.max(0, MIN_PART_BYTES - pending));
    if (at > 0) steps.push({ read: [0, at] });
    if (pending + at < MIN_PART_BYTES) return steps;
    steps.push({ flush: true });
  }
  const rest = bytes - at;
  if (rest === 0) return steps;
  if (rest < MIN_PART_BYTES && !last) return [...steps, { read: [at, bytes] }];
  const size = Math.ceil(rest / Math.ceil(rest / MAX_PART_BYTES));
  for (let start = at; start < bytes; start += size) steps.push({ copy: [start, Math.min(bytes, start + size)] });
  return steps;
}

/** Bytes waiting to be uploaded as a part, taken from the front. */
class Pending {
  private chunks: Buffer[] = [];
  size = 0;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  take(size: number): Buffer {
    const all = Buffer.concat(this.chunks, this.size);
    const taken = all.subarray(0, size);
    this.chunks = size < all.length ? [all.subarray(size)] : [];
    this.size -= size;
    return taken;
  }
}
