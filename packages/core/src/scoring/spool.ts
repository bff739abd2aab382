import { createReadStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { replay, type Head } from "../csv/reader.ts";
import { withTempDir } from "../temp-dir.ts";
import { throwIfAborted } from "./pipeline.ts";

/** A stream copied to a file on disk: the same head, the rest read from the file, and the file's path. */
export interface Spooled {
  head: Head;
  path: string;
}

/**
 * Copies a stream (an object store's) to a temporary file and hands it to `score`, so that threads
 * score it as they score a file on disk: each reads its own range (ranges.ts), which scales better
 * than one thread cutting the stream for the others. The copy is streamed with backpressure (memory
 * stays flat) and the file is removed once `score` is done, however it ends. The head already read
 * is kept as it is, so the file is scored from the very bytes (and the number format) one thread
 * would score the stream from.
 */
export async function withSpool<T>(
  head: Head,
  input: Readable,
  signal: AbortSignal | undefined,
  score: (spooled: Spooled) => Promise<T>,
): Promise<T> {
  return withTempDir("retainwise-spool", async (dir) => {
    const path = join(dir, "input.csv");
    let rest: Readable | undefined;
    try {
      await pipeline(replay(head), createWriteStream(path), { signal }).catch((error: unknown) => {
        throwIfAborted(signal);
        throw error;
      });
      rest = createReadStream(path, { start: head.head.length });
      return await score({
        head: { head: head.head, complete: head.complete, rest: rest[Symbol.asyncIterator]() },
        path,
      });
    } finally {
      input.destroy();
      rest?.destroy();
    }
  });
}
