import type { Readable } from "node:stream";

/**
 * Where uploaded CSVs and scored results live: S3 in AWS, a data directory on one machine.
 * Bodies are always streams; no method may buffer a whole object in memory.
 *
 * Keys are plain relative paths (`inputs/<predictionId>.csv`, `results/<predictionId>/<attempt>.csv`).
 */
export interface ObjectStore {
  /** Streams `body` to `key`, replacing any object there. Resolves with the bytes written once durable. */
  put(key: string, body: Readable, options?: PutOptions): Promise<{ bytes: number }>;
  /** Opens `key` for reading, or only its bytes [start, end) (`range`). Throws `NotFoundError` when it does not exist. */
  get(key: string, options?: { signal?: AbortSignal; range?: ByteRange }): Promise<Readable>;
  /** Size and type of `key`, or `null` when it does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Deletes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Writes `key` as `parts` one after another, replacing any object there; readers never see a
   * half-written object. A stored part (`{key, bytes}`) is copied inside the store where it can
   * be (S3: UploadPartCopy, no byte passes through this process); a streamed part is read here.
   * Resolves with the bytes written. Aborted by `signal`, it leaves nothing behind (S3: the
   * multipart upload is aborted).
   */
  compose(key: string, parts: readonly ComposePart[], options?: PutOptions): Promise<{ bytes: number }>;
  /**
   * Deletes every object whose key starts with `prefix` (a folder: it ends in `/`), and (S3) aborts
   * the multipart uploads in progress under it. Nothing there is not an error.
   */
  deletePrefix(prefix: string): Promise<void>;
  /** A URL anyone can GET until `expiresAt`, answering with `Content-Disposition: attachment; filename=…`. */
  presignGet(key: string, options: PresignOptions): Promise<PresignedUrl>;
  /** Throws when the store cannot be reached (for `/readyz`). */
  ping(): Promise<void>;
}

/** Bytes [start, end) of an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A part of a composed object: a stored object (copied as it is), or bytes made while composing. */
export type ComposePart = { key: string; bytes: number } | { open(): Promise<Readable> };

export interface PutOptions {
  contentType?: string;
  signal?: AbortSignal;
}

export interface ObjectInfo {
  bytes: number;
  contentType?: string;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** The file name the browser saves the download as. */
  filename?: string;
}

export interface PresignedUrl {
  url: string;
  expiresAt: Date;
}
