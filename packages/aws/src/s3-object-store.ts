import { Transform, type Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ObjectStore } from "@retainwise/core";
import { translateAwsError, withAwsErrors } from "./errors.ts";

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key (e.g. a stage name sharing a bucket). */
  prefix?: string;
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
        params: { Bucket: bucket, Key: key(k), Body: counted, ContentType: putOptions.contentType ?? "application/octet-stream" },
        partSize: PART_SIZE_BYTES,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      });
      putOptions.signal?.addEventListener("abort", () => void upload.abort(), { once: true });
      await withAwsErrors(`uploading ${k}`, () => upload.done());
      return { bytes };
    },
    async get(k, getOptions = {}) {
      const result = await withAwsErrors(`reading ${k}`, () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key(k) }), getOptions.signal ? { abortSignal: getOptions.signal } : {}),
      );
      return result.Body as Readable;
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
      const disposition = presign.filename ? `attachment; filename="${presign.filename.replace(/["\\\r\n]/g, "_")}"` : undefined;
      const command = new GetObjectCommand({ Bucket: bucket, Key: key(k), ...(disposition ? { ResponseContentDisposition: disposition } : {}) });
      const url = await withAwsErrors(`signing ${k}`, () => getSignedUrl(client, command, { expiresIn: presign.expiresInSeconds }));
      return { url, expiresAt: new Date(Date.now() + presign.expiresInSeconds * 1000) };
    },
    async ping() {
      await withAwsErrors("reaching the bucket", () => client.send(new HeadBucketCommand({ Bucket: bucket })));
    },
  };
}
