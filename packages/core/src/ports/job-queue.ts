import type { JobKind, JobMessage } from "../jobs/messages.ts";

/**
 * The jobs queue, with SQS semantics on both adapters (SQS itself; a Postgres table locally):
 * at-least-once delivery, a visibility timeout the holder extends while working, a receive count,
 * and dead-lettering once a message has been received `maxReceives` (3) times without being deleted.
 * Consumers must therefore be idempotent: see the claim in the prediction repository.
 */
export interface JobQueue {
  /** Sends a job message, `{kind, id}` (jobs/messages.ts). */
  send(message: JobMessage, options?: SendOptions): Promise<void>;
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

export interface SendOptions {
  /**
   * The fairness group: the account the job works for. Receivers prefer the groups with the fewest
   * messages in flight, so one account's many jobs cannot take every slot while another's wait
   * (Postgres: the claim's order; SQS: the message group of a fair queue).
   */
  group?: string;
}

export interface ReceiveOptions {
  max: number;
  waitSeconds: number;
  visibilitySeconds: number;
  signal?: AbortSignal;
  /**
   * Only messages of these kinds (a worker slot that must not train). Postgres honors it in the
   * claim; SQS cannot filter one queue, so its adapter returns any kind (docs/queue.md).
   */
  kinds?: readonly JobKind[];
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
