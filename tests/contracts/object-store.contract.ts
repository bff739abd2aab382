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
      expect(await store.put(key, Readable.from([body]), { contentType: "text/csv" })).toEqual({
        bytes: Buffer.byteLength(body),
      });
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
      if (presignedUrlsEnforced)
        expect(response.headers.get("content-disposition")).toMatch(/attachment;.*filename="?churn-scores\.csv/);
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

    test("get with a range streams only those bytes; an empty range reads as nothing", async () => {
      const { store } = await fresh();
      const key = uniqueKey("ranged.csv");
      const body = "customerID,tenure\n0001-A,12\n0002-B,3\n";
      await store.put(key, Readable.from([body]));
      expect(await readAll(await store.get(key, { range: { start: 18, end: 27 } }))).toBe(body.slice(18, 27));
      expect(await readAll(await store.get(key, { range: { start: 27, end: body.length } }))).toBe(body.slice(27));
      expect(await readAll(await store.get(key, { range: { start: 5, end: 5 } }))).toBe("");
    });

    test("compose writes stored and streamed parts in order, across S3's 5 MiB part rule", async () => {
      const { store } = await fresh();
      // Parts on both sides of 5 MiB, small ones between large ones, a streamed one between stored ones.
      const sizes = [6 * MiB + 17, 3, 2 * MiB, 7 * MiB, 1, 5 * MiB];
      const bodies = sizes.map((size, i) => Buffer.alloc(size, 97 + i));
      const keys = await Promise.all(
        bodies.map(async (body, i) => {
          const key = uniqueKey(`part-${i}`);
          await store.put(key, Readable.from([body]));
          return key;
        }),
      );
      const streamed = Buffer.from("streamed bytes\n".repeat(1000));
      const parts = [
        ...keys.slice(0, 3).map((key, i) => ({ key, bytes: sizes[i]! })),
        { open: async () => Readable.from([streamed.subarray(0, 100), streamed.subarray(100)]) },
        ...keys.slice(3).map((key, i) => ({ key, bytes: sizes[i + 3]! })),
      ];
      const key = uniqueKey("composed.csv");
      const expected = Buffer.concat([...bodies.slice(0, 3), streamed, ...bodies.slice(3)]);
      expect(await store.compose(key, parts, { contentType: "text/csv" })).toEqual({ bytes: expected.length });
      const stored = await hashStream(await store.get(key));
      expect(stored).toEqual({ bytes: expected.length, sha256: createHash("sha256").update(expected).digest("hex") });
      // A small last part, and a composition of one small part, are objects too.
      const small = uniqueKey("small.csv");
      await store.compose(small, [{ key: keys[1]!, bytes: 3 }]);
      expect(await readAll(await store.get(small))).toBe("bbb");
    });

    test("compose replaces an existing object, and an aborted compose leaves the old one", async () => {
      const { store } = await fresh();
      const key = uniqueKey("composed.csv");
      await store.put(key, Readable.from(["old\n"]));
      await store.compose(key, [{ open: async () => Readable.from(["new\n"]) }]);
      expect(await readAll(await store.get(key))).toBe("new\n");
      const abort = new AbortController();
      const failing = store.compose(key, [{ open: async () => Readable.from(slowlyThenAbort(abort)) }], {
        signal: abort.signal,
      });
      await expect(failing).rejects.toThrow();
      expect(await readAll(await store.get(key))).toBe("new\n");
    });

    test("deletePrefix deletes every object under a folder and nothing beside it", async () => {
      const { store } = await fresh();
      const folder = uniqueKey("results");
      await Promise.all(
        ["a.csv", "shards/0/a.csv", "shards/1/b.csv"].map((name) =>
          store.put(`${folder}/${name}`, Readable.from(["x"])),
        ),
      );
      await store.put(`${folder}-sibling.csv`, Readable.from(["y"]));
      await store.deletePrefix(`${folder}/`);
      for (const name of ["a.csv", "shards/0/a.csv", "shards/1/b.csv"])
        expect(await store.head(`${folder}/${name}`)).toBeNull();
      expect(await store.head(`${folder}-sibling.csv`)).toEqual(expect.objectContaining({ bytes: 1 }));
      await store.deletePrefix(`${folder}/`);
    });

    test("ping resolves when the store is reachable", async () => {
      const { store } = await fresh();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

const MiB = 1024 * 1024;

/** 6 MiB (a whole S3 part and more), then an abort before the end. */
async function* slowlyThenAbort(abort: AbortController): AsyncGenerator<Buffer> {
  yield Buffer.alloc(6 * MiB, 120);
  abort.abort();
  await new Promise((resolve) => setTimeout(resolve, 50));
  yield Buffer.alloc(1024, 120);
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
