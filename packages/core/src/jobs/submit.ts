import type { Readable } from "node:stream";
import { RetainwiseError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import { jobMessage, type JobKind } from "./messages.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { JobRow, JobRows } from "./job-rows.ts";

/** An object already in the store, `bytes` long: copied to the job's key by the store itself (no byte passes through here). */
export interface StoredInput {
  copyOf: string;
  bytes: number;
}

export interface SubmitJob<J extends JobRow> {
  kind: JobKind;
  store: ObjectStore;
  queue: JobQueue;
  rows: Pick<JobRows<J, unknown>, "markEnqueued">;
  logger: Logger;
  /** The account the job works for: its message's fairness group (`SendOptions.group`). */
  group: string;
  /** Where the job's input goes, and the input: an upload (streamed, never buffered) or a stored object copied inside the store. */
  key: string;
  body: Readable | StoredInput;
  /** Inserts the job's row once its input is stored. */
  insert(bytes: number): Promise<J>;
}

/**
 * The three steps of every job submission (a prediction, a model), as an outbox: store the upload,
 * insert the row, send the message and mark the row enqueued. If the send fails the row stays
 * unenqueued and the relay re-sends it; if anything before fails, the stored upload is deleted.
 *
 * @example
 *   const prediction = await submitJob({ kind: "score", store, queue, rows: predictions, logger, group: accountId, key, body,
 *     insert: (bytes) => predictions.create({ id, accountId, inputKey: key, inputFilename, inputBytes: bytes, modelId }) });
 */
export async function submitJob<J extends JobRow>(job: SubmitJob<J>): Promise<J> {
  let row: J;
  try {
    const { body } = job;
    const { bytes } =
      "copyOf" in body
        ? await job.store.compose(job.key, [{ key: body.copyOf, bytes: body.bytes }], { contentType: "text/csv" })
        : await job.store.put(job.key, body, { contentType: "text/csv" });
    if (bytes === 0)
      throw new RetainwiseError(
        "upload.empty",
        "The upload is empty. Send a CSV with a header row and one row per customer.",
      );
    row = await job.insert(bytes);
  } catch (error) {
    if (!("copyOf" in job.body)) job.body.destroy();
    await job.store.delete(job.key).catch(() => {});
    throw error;
  }
  await enqueueJob(job.kind, row.id, job);
  return row;
}

/**
 * Sends the message of a job whose row was just inserted. A failed send is logged and left to the
 * relay, which re-sends rows still unenqueued: the row is the outbox, so the caller goes on.
 */
export async function enqueueJob(
  kind: JobKind,
  id: string,
  deps: { queue: JobQueue; rows: Pick<JobRows<JobRow, unknown>, "markEnqueued">; logger: Logger; group?: string },
): Promise<void> {
  try {
    await sendJob(kind, id, deps.queue, deps.rows, deps.group);
  } catch (error) {
    deps.logger.warn("enqueue failed; the relay will re-send", { jobId: id, kind, error });
  }
}

/** Sends the job's message, then records that it was sent (the relay's outbox test). `group`: the account (`SendOptions.group`). */
export async function sendJob(
  kind: JobKind,
  id: string,
  queue: JobQueue,
  rows: Pick<JobRows<JobRow, unknown>, "markEnqueued">,
  group?: string,
): Promise<void> {
  await queue.send(jobMessage(kind, id), group !== undefined ? { group } : {});
  await rows.markEnqueued(id);
}
