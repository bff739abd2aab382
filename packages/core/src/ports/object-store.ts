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
  /** Opens `key` for reading. Throws `NotFoundError` when it does not exist. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<Readable>;
  /** Size and type of `key`, or `null` when it does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Deletes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A URL anyone can GET until `expiresAt`, answering with `Content-Disposition: attachment; filename=…`. */
  presignGet(key: string, options: PresignOptions): Promise<PresignedUrl>;
  /** Throws when the store cannot be reached (for `/readyz`). */
  ping(): Promise<void>;
}

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
