import * as v from "valibot";
import { UUID_PATTERN } from "../uuid.ts";

/**
 * The jobs queue, with SQS semantics on both adapters (SQS itself; a Postgres table locally):
 * at-least-once delivery, a visibility timeout the holder extends while working, a receive count,
 * and dead-lettering once a message has been received `maxReceives` (3) times without being deleted.
 * Consumers must therefore be idempotent: see the claim in the prediction repository.
 */
export interface JobQueue {
  /** Sends a job message (a message without `kind` is a scoring job, as sent before kinds existed). */
  send(message: JobMessageInput): Promise<void>;
  /** Long-polls up to `waitSeconds` for at most `max` messages; resolves `[]` on timeout or abort. */
  receive(options: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Keeps a received message hidden for `visibilitySeconds` more from now. */
  extend(receipt: string, visibilitySeconds: number): Promise<void>;
  /** Acknowledges: the message will never be delivered again. */
  delete(receipt: string): Promise<void>;
  /** Gives the message back now (visibility 0), e.g. on shutdown, so another worker can take it. */
  release(receipt: string): Promise<void>;
  /** Throws when the queue cannot be reached (for `/readyz`). */
  ping(): Promise<void>;
}

export interface ReceiveOptions {
  max: number;
  waitSeconds: number;
  visibilitySeconds: number;
  signal?: AbortSignal;
}

/** The dead-letter threshold on both adapters: the SQS RedrivePolicy's maxReceiveCount and the local queue's. */
export const MAX_RECEIVES = 3;

/**
 * A message as received. `body` is what was sent, still unvalidated: a poison message (bad JSON,
 * wrong shape) must reach the consumer so it can be counted and dead-lettered, not crash the poller.
 */
export interface ReceivedMessage {
  receipt: string;
  messageId: string;
  body: string;
  /** 1 on first delivery. */
  receiveCount: number;
}

const Uuid = v.pipe(v.string(), v.regex(UUID_PATTERN));

/** The job kinds, one handler each on the worker (`tasks[message.kind]`). */
export const JOB_KINDS = ["score", "train"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const KindedMessageSchema = v.variant("kind", [
  v.object({ kind: v.literal("score"), predictionId: Uuid }),
  v.object({ kind: v.literal("train"), modelId: Uuid }),
]);

/**
 * What a job message carries: its kind and the id of its row. Messages sent before kinds existed
 * (`{"predictionId": …}` and nothing else) may still be in flight across a deploy: they read as scoring.
 */
export const JobMessageSchema = v.union([
  KindedMessageSchema,
  v.pipe(
    v.strictObject({ predictionId: Uuid }),
    v.transform((message) => ({ kind: "score" as const, predictionId: message.predictionId })),
  ),
]);
export type JobMessage = v.InferOutput<typeof JobMessageSchema>;
export type JobMessageInput = v.InferInput<typeof JobMessageSchema>;

/** The message that starts the job of `kind` on row `id`. */
export function jobMessage(kind: JobKind, id: string): JobMessage {
  return kind === "score" ? { kind, predictionId: id } : { kind, modelId: id };
}

/** The id of the row a message's job works on. */
export function jobIdOf(message: JobMessage): string {
  return message.kind === "score" ? message.predictionId : message.modelId;
}

/** The message parsed, or undefined for a poison message (not JSON, or not a job message). */
export function parseJobMessage(body: string): JobMessage | undefined {
  try {
    const parsed = v.safeParse(JobMessageSchema, JSON.parse(body));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}
