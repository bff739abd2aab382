import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  NotFoundError,
  RetainwiseError,
  TransientError,
  type ByteRange,
  type ComposePart,
  type ObjectStore,
} from "@retainwise/core";
import { signDownload } from "./signed-download.ts";

export interface FileObjectStoreOptions {
  /** Objects live at `<dir>/<key>`. Created when missing. */
  dir: string;
  /** Where the API answers `GET /files/*`, e.g. `http://localhost:8080`. */
  publicBaseUrl: string;
  /** HMAC key for download links; keep it stable across restarts or old links stop working. */
  signingSecret: string;
}

/**
 * The one-machine `ObjectStore`: files under a directory. Writes stream to a temp file beside the
 * target, are fsynced, then renamed over it, so readers see the old object or the whole new one,
 * never half a file (rename is atomic within one filesystem). Download URLs are HMAC-signed and
 * served by the API: see ./signed-download.ts for the format.
 *
 * Keys are `/`-separated segments of `[A-Za-z0-9._-]`, none starting with `.`: that excludes `..`
 * (no escaping `dir`) and our own `.<name>.<random>.tmp` temp files.
 *
 * @example
 *   const store = createFileObjectStore({ dir: ".retainwise/files", publicBaseUrl: "http://localhost:8080", signingSecret });
 *   await store.put("inputs/123.csv", fs.createReadStream("customers.csv"));
 *   const { url } = await store.presignGet("inputs/123.csv", { expiresInSeconds: 600, filename: "customers.csv" });
 */
export function createFileObjectStore(options: FileObjectStoreOptions): ObjectStore {
  const root = path.resolve(options.dir);
  const ready = prepareRoot(root);
  const locate = async (key: string) => {
    await ready;
    return path.join(root, ...keySegments(key));
  };
  return {
    put: async (key, body, putOptions) =>
      withFsErrors("writing", key, async () => writeAtomically(await locate(key), body, putOptions?.signal)),
    get: async (key, getOptions) =>
      withFsErrors("reading", key, async () =>
        openForReading(await locate(key), key, getOptions?.signal, getOptions?.range),
      ),
    head: async (key) => withFsErrors("reading", key, async () => sizeOf(await locate(key))),
    delete: async (key) => withFsErrors("deleting", key, async () => removeWithTemps(await locate(key))),
    compose: async (key, parts, putOptions) =>
      withFsErrors("writing", key, async () => {
        const target = await locate(key);
        const sources = await Promise.all(
          parts.map(async (part) => ("key" in part ? { ...part, file: await locate(part.key) } : part)),
        );
        return writeAtomically(target, Readable.from(concatenated(sources, putOptions?.signal)), putOptions?.signal);
      }),
    deletePrefix: async (prefix) =>
      withFsErrors("deleting", prefix, async () => {
        if (!prefix.endsWith("/"))
          throw new RetainwiseError(
            "store.invalid_key",
            `"${prefix.slice(0, 100)}" is not a folder: a prefix ends in "/".`,
          );
        await fs.rm(await locate(prefix.slice(0, -1)), { recursive: true, force: true });
      }),
    presignGet: async (key, presign) => {
      const segments = keySegments(key);
      const expires = Math.floor(Date.now() / 1000) + presign.expiresInSeconds;
      const filename = presign.filename ?? segments[segments.length - 1]!;
      return {
        url: signDownload({
          publicBaseUrl: options.publicBaseUrl,
          key,
          filename,
          expires,
          signingSecret: options.signingSecret,
        }),
        expiresAt: new Date(expires * 1000),
      };
    },
    ping: () =>
      withFsErrors("checking", "", async () => {
        await ready;
        await fs.access(root, fs.constants.R_OK | fs.constants.W_OK);
      }),
  };
}

const KEY_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_KEY_CHARS = 1024;

function keySegments(key: string): string[] {
  const segments = key.split("/");
  if (key.length > MAX_KEY_CHARS || !segments.every((segment) => KEY_SEGMENT.test(segment))) {
    throw new RetainwiseError(
      "store.invalid_key",
      `"${key.slice(0, 100)}" is not a valid object key: use /-separated names of letters, digits, '.', '_' and '-', not starting with '.'.`,
    );
  }
  return segments;
}

/**
 * Customers' files are readable by this OS user only: directories 0700, files 0600 (Node's
 * defaults, 0755/0644 under a usual umask, let every local user read them).
 */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** A temp file untouched this long is left by a crash (a live write touches its file continuously). */
const ORPHAN_TEMP_AGE_MS = 10 * 60 * 1000;
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** Creates the root (0700) and removes temp files a crashed process left anywhere under it. */
async function prepareRoot(root: string): Promise<void> {
  await fs.mkdir(root, { recursive: true, mode: DIR_MODE });
  await fs.chmod(root, DIR_MODE);
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const cutoff = Date.now() - ORPHAN_TEMP_AGE_MS;
  for (const entry of entries) {
    if (!entry.isFile() || !TEMP_FILE.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && stat.mtimeMs < cutoff) await fs.rm(file, { force: true });
  }
}

/** Deletes `file` and any temp file of an unfinished write to it (a crashed attempt's). */
async function removeWithTemps(file: string): Promise<void> {
  await fs.rm(file, { force: true });
  const prefix = `.${path.basename(file)}.`;
  const siblings = await fs.readdir(path.dirname(file)).catch(() => [] as string[]);
  await Promise.all(
    siblings
      .filter((name) => name.startsWith(prefix) && TEMP_FILE.test(name))
      .map((name) => fs.rm(path.join(path.dirname(file), name), { force: true })),
  );
}

async function writeAtomically(target: string, body: Readable, signal?: AbortSignal): Promise<{ bytes: number }> {
  await fs.mkdir(path.dirname(target), { recursive: true, mode: DIR_MODE });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    // `flush`: fsync before close, so the rename never publishes bytes still only in the page cache.
    await pipeline(body, createWriteStream(temp, { flags: "wx", flush: true, mode: FILE_MODE }), { signal });
    const { size } = await fs.stat(temp);
    await fs.rename(temp, target);
    return { bytes: size };
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

async function openForReading(file: string, key: string, signal?: AbortSignal, range?: ByteRange): Promise<Readable> {
  // Open before returning so a missing key rejects here rather than as a later stream error.
  const handle = await fs.open(file, "r").catch((error: NodeJS.ErrnoException) => {
    throw error.code === "ENOENT" || error.code === "EISDIR"
      ? new NotFoundError(`The object ${key}`, { cause: error })
      : error;
  });
  if (range && range.end <= range.start) {
    await handle.close();
    return Readable.from([]);
  }
  return createReadStream("", { fd: handle, signal, ...(range ? { start: range.start, end: range.end - 1 } : {}) });
}

/** The parts' bytes in order: stored ones read from their files (missing: `NotFoundError`), streamed ones as they come. */
async function* concatenated(
  parts: readonly (ComposePart & { file?: string })[],
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  for (const part of parts) {
    signal?.throwIfAborted();
    const body = "key" in part ? await openForReading(part.file!, part.key, signal) : await part.open();
    for await (const chunk of body) yield typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
  }
}

async function sizeOf(file: string): Promise<{ bytes: number } | null> {
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
    throw error;
  });
  return stat?.isFile() ? { bytes: stat.size } : null;
}

/**
 * Disk full, permissions, I/O errors: transient (an operator can fix them and the job retries).
 * Only system-call errors are ours; an error from the caller's body stream (a client that went away,
 * an upload over the size cap) passes through untouched.
 */
async function withFsErrors<T>(doing: string, key: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { syscall, code } = error as NodeJS.ErrnoException;
    if (typeof syscall !== "string") throw error;
    throw new TransientError(
      "store.unavailable",
      `The file store failed ${doing} ${key || "its directory"} (${code}).`,
      { cause: error },
    );
  }
}
