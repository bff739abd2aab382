/**
 * The `ObjectStore` contract: what both adapters (S3, files on disk) must do, defined once.
 * Each test gets a store from `makeStore`; keys are unique per test, so a shared bucket is fine.
 * Presigned URLs are fetched with plain `fetch`: the fixture must make them reachable (S3 endpoint,
 * or an HTTP server answering `/files/*` for the file store).
 *
 * @example
 *   objectStoreContract("S3 on fauxqs", async () => ({ store: createS3ObjectStore(...), inProcessServer: true }));
 */
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { NotFoundError, type ObjectStore } from "../../packages/core/src/index.ts";

export interface StoreFixture {
  store: ObjectStore;
  dispose?: () => Promise<void>;
  /**
   * The storage server runs inside the test process (fauxqs): stored bytes then count towards our
   * memory, so the large-body test checks content but not memory.
   */
  inProcessServer?: boolean;
  /**
   * Default true. The fauxqs S3 emulator serves presigned URLs without checking their signature or
   * expiry and ignores `response-content-disposition`; real S3 and the file store honour all three.
   * Set false only for such an emulator: the tamper/expiry tests are skipped and the attachment
   * header is not asserted (say so in your report; deployment tests cover real S3).
   */
  presignedUrlsEnforced?: boolean;
}

/** 96 MiB: several S3 multipart parts, far more than any adapter may hold in memory. */
const LARGE_BODY_BYTES = 96 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
/** What an adapter may hold at once while streaming LARGE_BODY_BYTES (S3 multipart: ~4 parts of 5 MiB). */
const STREAMING_HEADROOM_BYTES = 48 * 1024 * 1024;

export function objectStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name} (ObjectStore contract)`, () => {
    const fixtures: StoreFixture[] = [];
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((fixture) => fixture.dispose?.()));
    });
    const fresh = async (): Promise<StoreFixture> => {
      const fixture = await makeStore();
      fixtures.push(fixture);
      return fixture;
    };
    const uniqueKey = (name: string) => `contract/${randomUUID()}/${name}`;

    test("put streams a body in and get streams the same bytes back", async () => {
      const { store } = await fresh();
      const key = uniqueKey("in.csv");
      const body = "customerID,tenure\n0001-A,12\n0002-B,3\n";
      expect(await store.put(key, Readable.from([body]), { contentType: "text/csv" })).toEqual({ bytes: Buffer.byteLength(body) });
      expect(await readAll(await store.get(key))).toBe(body);
    });

    test("put replaces an existing object", async () => {
      const { store } = await fresh();
      const key = uniqueKey("replace.csv");
      await store.put(key, Readable.from(["first version, longer than the second"]));
      await store.put(key, Readable.from(["second"]));
      expect(await readAll(await store.get(key))).toBe("second");
      expect((await store.head(key))?.bytes).toBe(6);
    });

    test("an empty body is stored as an empty object", async () => {
      const { store } = await fresh();
      const key = uniqueKey("empty.csv");
      expect(await store.put(key, Readable.from([]))).toEqual({ bytes: 0 });
      expect(await readAll(await store.get(key))).toBe("");
    });

    test("head reports the size of an object and null for a missing key", async () => {
      const { store } = await fresh();
      const key = uniqueKey("head.csv");
      await store.put(key, Readable.from([Buffer.alloc(1234, 7)]));
      expect((await store.head(key))?.bytes).toBe(1234);
      expect(await store.head(uniqueKey("missing.csv"))).toBeNull();
    });

    test("get of a missing key rejects with NotFoundError", async () => {
      const { store } = await fresh();
      await expect(store.get(uniqueKey("missing.csv"))).rejects.toBeInstanceOf(NotFoundError);
    });

    test("delete removes an object, and deleting a missing key is not an error", async () => {
      const { store } = await fresh();
      const key = uniqueKey("delete.csv");
      await store.put(key, Readable.from(["x"]));
      await store.delete(key);
      expect(await store.head(key)).toBeNull();
      await expect(store.get(key)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete(key)).resolves.toBeUndefined();
    });

    test("a large body streams through put and get without being held in memory", async () => {
      const { store, inProcessServer } = await fresh();
      const key = uniqueKey("large.csv");
      const memory = memoryWatcher();
      const source = generatedBody(LARGE_BODY_BYTES);
      expect(await store.put(key, source.stream)).toEqual({ bytes: LARGE_BODY_BYTES });
      const readBack = await hashStream(await store.get(key));
      const peakGrowth = memory.stop();
      expect(readBack).toEqual({ bytes: LARGE_BODY_BYTES, sha256: source.sha256() });
      if (!inProcessServer) expect(peakGrowth).toBeLessThan(STREAMING_HEADROOM_BYTES);
    });

    test("a presigned URL downloads the object as an attachment with the given file name", async () => {
      const { store, presignedUrlsEnforced = true } = await fresh();
      const key = uniqueKey("result.csv");
      await store.put(key, Readable.from(["id,probability\n1,0.25\n"]), { contentType: "text/csv" });
      const before = Date.now();
      const presigned = await store.presignGet(key, { expiresInSeconds: 600, filename: "churn-scores.csv" });
      expect(presigned.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 599_000);
      expect(presigned.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 601_000);
      const response = await fetch(presigned.url);
      expect(response.status).toBe(200);
      if (presignedUrlsEnforced) expect(response.headers.get("content-disposition")).toMatch(/attachment;.*filename="?churn-scores\.csv/);
      expect(await response.text()).toBe("id,probability\n1,0.25\n");
    });

    test("a presigned URL whose signature was tampered with is refused with 403", async (context) => {
      const { store, presignedUrlsEnforced = true } = await fresh();
      if (!presignedUrlsEnforced) context.skip();
      const key = uniqueKey("secret.csv");
      await store.put(key, Readable.from(["secret"]));
      const { url } = await store.presignGet(key, { expiresInSeconds: 600 });
      const tampered = new URL(url);
      const signatureParam = [...tampered.searchParams.keys()].find((k) => /signature/i.test(k))!;
      const signature = tampered.searchParams.get(signatureParam)!;
      tampered.searchParams.set(signatureParam, (signature[0] === "0" ? "1" : "0") + signature.slice(1));
      const response = await fetch(tampered);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain("secret\n");
    });

    test("a presigned URL is refused with 403 once it has expired", async (context) => {
      const { store, presignedUrlsEnforced = true } = await fresh();
      if (!presignedUrlsEnforced) context.skip();
      const key = uniqueKey("expiring.csv");
      await store.put(key, Readable.from(["soon gone"]));
      const { url, expiresAt } = await store.presignGet(key, { expiresInSeconds: 1 });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 1_100));
      expect((await fetch(url)).status).toBe(403);
    });

    test("ping resolves when the store is reachable", async () => {
      const { store } = await fresh();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** A lazily produced body (each chunk made only when pulled), hashed as it goes. */
function generatedBody(totalBytes: number): { stream: Readable; sha256: () => string } {
  const hash = createHash("sha256");
  async function* chunks() {
    for (let offset = 0; offset < totalBytes; offset += CHUNK_BYTES) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, totalBytes - offset), offset / CHUNK_BYTES);
      chunk.writeUInt32BE(offset, 0);
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), sha256: () => hash.digest("hex") };
}

async function hashStream(stream: Readable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** Samples heap + ArrayBuffer memory every 20 ms; `stop()` returns the peak growth in bytes. */
function memoryWatcher(): { stop(): number } {
  const used = () => {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const baseline = used();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, used());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, used()) - baseline;
    },
  };
}
