import { PassThrough, type Readable, type Writable } from "node:stream";
import { isRetainwiseError } from "../errors.ts";
import type { ObjectStore } from "../ports/object-store.ts";

/** Where a scoring writes its three objects: the scored file, the error report and the scores file (for `index-scores`). */
export interface ResultKeys {
  outputKey: string;
  errorsKey: string;
  scoresKey: string;
}

export interface ResultBodies {
  output: Writable;
  errors: Writable;
  scores: Writable;
}

/**
 * Streams `score`'s three bodies into the store side by side (a whole prediction's, or one shard's
 * part). Any side failing ends the others: a store that fails before it reads its body (a directory
 * it cannot write, a dropped connection) destroys that body, so scoring stops at its next write
 * instead of waiting for a `drain` that never comes, and a scoring error destroys every body.
 * Resolves once every object is stored.
 */
export async function scoreIntoStore<T>(
  store: ObjectStore,
  keys: ResultKeys,
  input: Readable,
  score: (bodies: ResultBodies) => Promise<T>,
): Promise<T> {
  const output = new PassThrough();
  const errors = new PassThrough();
  const scores = new PassThrough();
  const bodies = [output, errors, scores];
  // The store may not be listening to a body yet (put() can still be awaiting a directory or a
  // connection): without a listener, destroying it with an error would be an uncaught exception.
  for (const body of bodies) body.on("error", () => {});
  const uploads = [
    store.put(keys.outputKey, output, { contentType: "text/csv" }),
    store.put(keys.errorsKey, errors, { contentType: "text/csv" }),
    store.put(keys.scoresKey, scores, { contentType: "application/x-ndjson" }),
  ];
  const stopAll = (error: Error) => {
    for (const body of bodies) if (!body.writableFinished) body.destroy(error);
    input.destroy();
  };
  for (const upload of uploads) upload.catch(stopAll);
  try {
    const result = await score({ output, errors, scores });
    await Promise.all(uploads);
    return result;
  } catch (error) {
    // An ended error report (too many bad rows) is left to finish; everything else stops.
    if (!errors.writableEnded) errors.destroy(error as Error);
    output.destroy(error as Error);
    scores.destroy(error as Error);
    input.destroy();
    const settled = await Promise.allSettled(uploads);
    // A store failure is the cause when scoring only saw its body close.
    const storeFailure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected" && s.reason !== error);
    throw isRetainwiseError(error) && error.code === "output.closed" && storeFailure ? storeFailure.reason : error;
  }
}

/** Deletes the objects, ignoring failures: what is left is swept with its prediction's results folder. */
export async function discardObjects(store: ObjectStore, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => store.delete(key).catch(() => {})));
}
