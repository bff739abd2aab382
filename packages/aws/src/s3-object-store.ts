import { Readable, Transform } from "node:stream";
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ObjectStore } from "@retainwise/core";
import { translateAwsError, withAwsErrors } from "./errors.ts";
import { composeObject } from "./s3-compose.ts";

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key (e.g. a stage name sharing a bucket). */
  prefix?: string;
  /** `compose` copies stored parts inside S3 (UploadPartCopy); false: through this process (`ComposeTarget.serverSideCopy`). */
  serverSideCopy?: boolean;
}

/**
 * Multipart upload buffers `queueSize` parts of `partSize` bytes at most: 2 x 8 MiB = 16 MiB per
 * upload in flight, whatever the object size (S3 allows 10,000 parts, so up to ~78 GiB).
 */
const PART_SIZE_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** The AWS `ObjectStore`: S3, streamed both ways, downloads through presigned GET URLs. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { client, bucket } = options;
  const key = (k: string) => (options.prefix ? `${options.prefix}/${k}` : k);
  return {
    async put(k, body, putOptions = {}) {
      let bytes = 0;
      const counted = body.pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done(null, chunk);
          },
        }),
      );
      body.on("error", (error) => counted.destroy(error));
      const upload = new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: key(k),
          Body: counted,
          ContentType: putOptions.contentType ?? "application/octet-stream",
        },
        partSize: PART_SIZE_BYTES,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      });
      putOptions.signal?.addEventListener("abort", () => void upload.abort(), { once: true });
      await withAwsErrors(`uploading ${k}`, () => upload.done());
      return { bytes };
    },
    async get(k, getOptions = {}) {
      const { range } = getOptions;
      // S3 answers an empty range with the whole object (or 416): an empty range is read as nothing.
      if (range && range.end <= range.start) return Readable.from([]);
      const result = await withAwsErrors(`reading ${k}`, () =>
        client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key(k),
            ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
          }),
          getOptions.signal ? { abortSignal: getOptions.signal } : {},
        ),
      );
      return result.Body as Readable;
    },
    compose: (k, parts, putOptions) =>
      composeObject(
        { client, bucket, key: key(k), objectKey: key, serverSideCopy: options.serverSideCopy ?? true },
        parts,
        putOptions,
      ),
    async deletePrefix(p) {
      await withAwsErrors(`deleting ${p}`, () => deleteUnder(client, bucket, key(p)));
    },
    async head(k) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key(k) }));
        return { bytes: result.ContentLength ?? 0, ...(result.ContentType ? { contentType: result.ContentType } : {}) };
      } catch (error) {
        const domain = translateAwsError(error, `checking ${k}`);
        if (domain.kind === "not_found") return null;
        throw domain;
      }
    },
    async delete(k) {
      await withAwsErrors(`deleting ${k}`, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(k) })));
    },
    async presignGet(k, presign) {
      const disposition = presign.filename
        ? `attachment; filename="${presign.filename.replace(/["\\\r\n]/g, "_")}"`
        : undefined;
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: key(k),
        ...(disposition ? { ResponseContentDisposition: disposition } : {}),
      });
      const url = await withAwsErrors(`signing ${k}`, () =>
        getSignedUrl(client, command, { expiresIn: presign.expiresInSeconds }),
      );
      return { url, expiresAt: new Date(Date.now() + presign.expiresInSeconds * 1000) };
    },
    async ping() {
      await withAwsErrors("reaching the bucket", () => client.send(new HeadBucketCommand({ Bucket: bucket })));
    },
  };
}

/** Every object under `prefix`, 1,000 a request, and the multipart uploads in progress there (a merge cut short). */
async function deleteUnder(client: S3Client, bucket: string, prefix: string): Promise<void> {
  for (let token: string | undefined; ; ) {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (keys.length > 0)
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.NextContinuationToken;
    if (!page.IsTruncated || !token) break;
  }
  for (let keyMarker: string | undefined, uploadIdMarker: string | undefined; ; ) {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key && upload.UploadId)
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
        );
    }
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
