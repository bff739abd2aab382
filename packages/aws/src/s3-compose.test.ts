/**
 * The S3 merge of shards' parts (packages/aws/src/s3-compose.ts) beyond the ObjectStore contract:
 * the part plan that keeps S3's 5 MiB rule, and that a compose cut short leaves no multipart upload
 * (fauxqs, through the real SDK: it refuses to delete a bucket with an upload in progress).
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { CreateMultipartUploadCommand, DeleteBucketCommand, CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3ObjectStore } from "./index.ts";
import { copyPlan, MAX_PART_BYTES, MIN_PART_BYTES } from "./s3-compose.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../tests/support/aws.ts";

const MiB = 1024 * 1024;

describe("the part plan of a stored part", () => {
  it("copies a part of 5 MiB or more whole when nothing is pending", () => {
    expect(copyPlan(0, 64 * MiB, false)).toEqual([{ copy: [0, 64 * MiB] }]);
  });

  it("reads a small part into the pending bytes unless it is the last", () => {
    expect(copyPlan(0, 3 * MiB, false)).toEqual([{ read: [0, 3 * MiB] }]);
    expect(copyPlan(0, 3 * MiB, true)).toEqual([{ copy: [0, 3 * MiB] }]);
  });

  it("tops pending bytes up to 5 MiB from the part's head, uploads them, and copies the rest", () => {
    expect(copyPlan(2 * MiB, 64 * MiB, false)).toEqual([
      { read: [0, 3 * MiB] },
      { flush: true },
      { copy: [3 * MiB, 64 * MiB] },
    ]);
  });

  it("reads the rest too when what is left after topping up is too small to stand alone", () => {
    expect(copyPlan(2 * MiB, 6 * MiB, false)).toEqual([
      { read: [0, 3 * MiB] },
      { flush: true },
      { read: [3 * MiB, 6 * MiB] },
    ]);
  });

  it("splits a part larger than S3's 5 GiB copy limit into ranges that each keep the rule", () => {
    const steps = copyPlan(0, 12 * 1024 * MiB, false);
    expect(steps).toHaveLength(3);
    for (const step of steps) {
      const [start, end] = (step as { copy: [number, number] }).copy;
      expect(end - start).toBeLessThanOrEqual(MAX_PART_BYTES);
      expect(end - start).toBeGreaterThanOrEqual(MIN_PART_BYTES);
    }
  });
});

describe("a compose cut short on fauxqs", () => {
  let aws: AwsEmulator;
  beforeAll(async () => {
    aws = await startAwsEmulator();
  });
  afterAll(() => aws.stop());

  const freshBucket = async () => {
    const bucket = `compose-${randomUUID().slice(0, 8)}`;
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  };

  it("a bucket with an upload in progress cannot be deleted (the check below can fail)", async () => {
    const bucket = await freshBucket();
    await aws.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "left.csv" }));
    await expect(aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }))).rejects.toThrow(/not empty/i);
  });

  it("aborting after parts were uploaded aborts the upload: the bucket is left empty", async () => {
    const bucket = await freshBucket();
    const store = createS3ObjectStore({ client: aws.s3, bucket, serverSideCopy: false });
    const abort = new AbortController();
    async function* body() {
      // Two whole parts of 8 MiB go up before the abort.
      for (let i = 0; i < 20; i++) yield Buffer.alloc(MiB, 97);
      abort.abort();
      yield Buffer.alloc(MiB, 98);
    }
    await expect(
      store.compose("results/x/attempt-1.csv", [{ open: async () => Readable.from(body()) }], { signal: abort.signal }),
    ).rejects.toThrow();
    expect(await store.head("results/x/attempt-1.csv")).toBeNull();
    await aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  it("a failing part aborts the upload too", async () => {
    const bucket = await freshBucket();
    const store = createS3ObjectStore({ client: aws.s3, bucket, serverSideCopy: false });
    await store.put("a.csv", Readable.from([Buffer.alloc(6 * MiB, 97)]));
    await expect(
      store.compose("out.csv", [
        { key: "a.csv", bytes: 6 * MiB },
        { key: "missing.csv", bytes: 6 * MiB },
      ]),
    ).rejects.toThrow();
    await store.delete("a.csv");
    await aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });
});
