import {
  isUuid,
  MAX_RECEIVES,
  type JobMessage,
  RetainwiseError,
  silentLogger,
  type JobQueue,
  type Logger,
  type ReceivedMessage,
  type ReceiveOptions,
} from "@retainwise/core";
import type { Sql } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/**
 * The one-machine `JobQueue`: rows of `job_queue` with SQS semantics (full write-up: docs/queue.md).
 *
 * - receive: one statement claims up to `max` available messages (`FOR UPDATE SKIP LOCKED`, so
 *   concurrent receivers never get the same message), hides them for `visibilitySeconds`, bumps
 *   `receive_count` and hands out a fresh receipt. A message already received `maxReceives` times
 *   is moved to the dead state instead of being delivered again (SQS RedrivePolicy with
 *   maxReceiveCount = 3: the 4th receive moves it to the DLQ).
 * - long poll: a receiver with nothing to take sleeps until a NOTIFY from `send`/`release`, a poll
 *   tick (for visibility timeouts that lapse on their own), its deadline, or its AbortSignal.
 * - receipts rotate per receive: a holder whose visibility lapsed and whose message was received
 *   again cannot extend (throws `queue.receipt_invalid`) or delete it (a no-op, as in SQS).
 *
 * Durable: a crashed holder's message simply becomes visible again when its timeout lapses.
 *
 * @example
 *   const queue = createPostgresJobQueue({ sql });
 *   await queue.send({ kind: "score", id: predictionId });
 *   const [message] = await queue.receive({ max: 1, waitSeconds: 20, visibilitySeconds: 60, signal });
 *   if (message) await queue.delete(message.receipt);
 *   await queue.close();
 */
export function createPostgresJobQueue(options: PostgresJobQueueOptions): PostgresJobQueue {
  const {
    sql,
    queue = "jobs",
    maxReceives = MAX_RECEIVES,
    pollIntervalMs = POLL_INTERVAL_MS,
    log = silentLogger,
  } = options;
  const wakeups = createWakeups(sql, queue, log);
  return {
    send: (message, sendOptions) =>
      withDbErrors("sending a job message", () => send(sql, queue, message, sendOptions?.group)),
    receive: (receiveOptions) => receive({ sql, queue, maxReceives, pollIntervalMs, wakeups }, receiveOptions),
    extend: (receipt, visibilitySeconds) =>
      withDbErrors("extending a message's visibility", () => extend(sql, receipt, visibilitySeconds)),
    delete: (receipt) => withDbErrors("deleting a job message", () => remove(sql, receipt)),
    release: (receipt) => withDbErrors("releasing a job message", () => release(sql, receipt)),
    ping: () => withDbErrors("checking the job queue", async () => void (await sql`select 1 from job_queue limit 1`)),
    deadLetters: () => withDbErrors("reading dead letters", () => deadLetters(sql, queue)),
    parked: () => wakeups.parked(),
    close: () => wakeups.close(),
  };
}

export interface PostgresJobQueueOptions {
  sql: Sql;
  /** Several queues share the table, told apart by name. */
  queue?: string;
  maxReceives?: number;
  /** How often an idle long-poll re-checks without a NOTIFY (visibility timeouts lapse silently). */
  pollIntervalMs?: number;
  log?: Logger;
}

export interface PostgresJobQueue extends JobQueue {
  /** Messages moved to the dead state, oldest first (operators, tests). */
  deadLetters(): Promise<DeadLetter[]>;
  /**
   * Resolves the next time a receiver of this queue parks in its long poll with LISTEN established:
   * from then on a `send` wakes it by NOTIFY. A state to wait on where a test would otherwise sleep.
   *
   * @example
   *   const parked = queue.parked();
   *   const receiving = queue.receive({ max: 1, waitSeconds: 20, visibilitySeconds: 30 });
   *   await parked; await queue.send(message); // received by NOTIFY, not by a poll tick
   */
  parked(): Promise<void>;
  /** Stops listening for wake-ups; the pool itself stays the caller's. */
  close(): Promise<void>;
}

export interface DeadLetter {
  messageId: string;
  body: string;
  receiveCount: number;
  deadLetteredAt: Date;
}

const CHANNEL = "retainwise_job_queue";
const POLL_INTERVAL_MS = 500;
/** SQS's limit per ReceiveMessage call, kept so both adapters accept the same calls. */
const MAX_MESSAGES_PER_RECEIVE = 10;

async function send(sql: Sql, queue: string, message: JobMessage, group: string | undefined): Promise<void> {
  // The NOTIFY is delivered at commit, so a woken receiver always finds the row.
  await sql`
    with sent as (
      insert into job_queue (queue, body, kind, group_key)
      -- A body of an older shape (or a poison one, in tests) may have no kind: any slot takes it.
      values (${queue}, ${JSON.stringify(message)}, ${message.kind ?? null}, ${group ?? null})
      returning queue
    )
    select pg_notify(${CHANNEL}, queue) from sent`;
}

interface ReceiveContext {
  sql: Sql;
  queue: string;
  maxReceives: number;
  pollIntervalMs: number;
  wakeups: Wakeups;
}

/**
 * Claims, or waits and claims again, until something arrives, the wait is over, or the signal
 * aborts. Messages claimed by a query that was already running when the signal fired are still
 * returned: dropping them would hide them for a whole visibility timeout.
 */
async function receive(context: ReceiveContext, options: ReceiveOptions): Promise<ReceivedMessage[]> {
  const { max, waitSeconds, visibilitySeconds, signal } = options;
  if (!Number.isInteger(max) || max < 1 || max > MAX_MESSAGES_PER_RECEIVE) {
    throw new RetainwiseError(
      "queue.invalid_max",
      `receive takes 1 to ${MAX_MESSAGES_PER_RECEIVE} messages at a time, not ${max}.`,
    );
  }
  const deadline = Date.now() + waitSeconds * 1000;
  if (waitSeconds > 0) await context.wakeups.listen();
  for (;;) {
    if (signal?.aborted) return [];
    const seen = context.wakeups.count();
    const { messages, deadLettered } = await withDbErrors("receiving job messages", () =>
      claim(context, max, visibilitySeconds, options.kinds),
    );
    if (messages.length > 0) return messages;
    // Moving dead messages out of the way may have left live ones behind them: look again at once
    // (each round retires at least one, so this ends), even when the wait is over.
    if (deadLettered > 0) continue;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return [];
    // A wake-up that arrived while we were claiming would otherwise be missed until the next tick.
    if (context.wakeups.count() !== seen) continue;
    await context.wakeups.wait(Math.min(remaining, context.pollIntervalMs), signal);
  }
}

/**
 * One statement: pick, dead-letter the over-received, receive the rest. Which messages, in order:
 *
 * - kinds: with `kinds`, only those (a message without a kind, sent before migration 0014, goes to
 *   any receiver); the worker's slots that must not train ask for every kind but `train`.
 * - fairness: the group (account) with the fewest messages in flight first, then the oldest
 *   visible. In flight = received and still hidden (neither deleted, dead nor lapsed): running, or
 *   waiting out a retry's backoff. So an account with 50 queued jobs and 2 running yields the next
 *   slot to an account with 1 queued and none running; among equals it is first come, first
 *   served. Messages without a group count as one group. Not a quota: with nobody else waiting,
 *   one account takes every slot.
 *
 * The in-flight counts are read without locks: two receivers claiming at once may both prefer the
 * same group (each takes a different message of it, by SKIP LOCKED); the next claim evens it out.
 */
async function claim(
  context: ReceiveContext,
  max: number,
  visibilitySeconds: number,
  kinds: readonly string[] | undefined,
): Promise<{ messages: ReceivedMessage[]; deadLettered: number }> {
  const { sql, queue, maxReceives } = context;
  const rows = await sql<
    { id: string; body: string | null; receipt: string | null; receiveCount: number | null; dead: boolean }[]
  >`
    with in_flight as (
      select group_key, count(*) as held from job_queue
      where queue = ${queue} and receipt is not null and dead_lettered_at is null and visible_at > now()
      group by group_key
    ), candidates as (
      select j.id, j.receive_count from job_queue j
      left join in_flight f on f.group_key is not distinct from j.group_key
      where j.queue = ${queue} and j.dead_lettered_at is null and j.visible_at <= now()
        ${kinds ? sql`and (j.kind is null or j.kind = any(${sql.array(kinds as string[])}::text[]))` : sql``}
      order by coalesce(f.held, 0), j.visible_at, j.sent_at
      limit ${max}
      for update of j skip locked
    ), dead as (
      update job_queue j set dead_lettered_at = now(), receipt = null
      from candidates c where j.id = c.id and c.receive_count >= ${maxReceives}
      returning j.id
    ), received as (
      update job_queue j set
        receive_count = j.receive_count + 1, receipt = gen_random_uuid(),
        visible_at = now() + make_interval(secs => ${visibilitySeconds}),
        first_received_at = coalesce(j.first_received_at, now())
      from candidates c where j.id = c.id and c.receive_count < ${maxReceives}
      returning j.id, j.body, j.receipt, j.receive_count
    )
    select id, body, receipt, receive_count, false as dead from received
    union all
    select id, null, null, null, true from dead`;
  const messages = rows
    .filter((row) => !row.dead)
    .map((row) => ({ messageId: row.id, body: row.body!, receipt: row.receipt!, receiveCount: row.receiveCount! }));
  return { messages, deadLettered: rows.length - messages.length };
}

async function extend(sql: Sql, receipt: string, visibilitySeconds: number): Promise<void> {
  assertReceipt(receipt);
  const rows = await sql`
    update job_queue set visible_at = now() + make_interval(secs => ${visibilitySeconds})
    where receipt = ${receipt} and dead_lettered_at is null
    returning id`;
  if (rows.length === 0) {
    throw new RetainwiseError(
      "queue.receipt_invalid",
      "The job message was deleted or received again by another worker; stop working on it.",
    );
  }
}

async function remove(sql: Sql, receipt: string): Promise<void> {
  assertReceipt(receipt);
  await sql`delete from job_queue where receipt = ${receipt}`;
}

async function release(sql: Sql, receipt: string): Promise<void> {
  assertReceipt(receipt);
  await sql`
    with released as (
      update job_queue set visible_at = now() where receipt = ${receipt} and dead_lettered_at is null returning queue
    )
    select pg_notify(${CHANNEL}, queue) from released`;
}

async function deadLetters(sql: Sql, queue: string): Promise<DeadLetter[]> {
  return sql<DeadLetter[]>`
    select id as message_id, body, receive_count, dead_lettered_at from job_queue
    where queue = ${queue} and dead_lettered_at is not null
    order by dead_lettered_at`;
}

function assertReceipt(receipt: string): void {
  if (!isUuid(receipt))
    throw new RetainwiseError("queue.receipt_invalid", "That is not a receipt this queue handed out.");
}

interface Wakeups {
  /** Starts LISTENing (once); on failure receivers fall back to polling. */
  listen(): Promise<void>;
  count(): number;
  /** Resolves on the next wake-up for this queue, after `ms`, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Resolves when a receiver next starts waiting with LISTEN established. */
  parked(): Promise<void>;
  close(): Promise<void>;
}

function createWakeups(sql: Sql, queue: string, log: Logger): Wakeups {
  let received = 0;
  const waiters = new Set<() => void>();
  const onParked: (() => void)[] = [];
  let listening: Promise<{ unlisten(): Promise<void> } | null> | undefined;
  let subscribed = false;
  const onNotify = (payload: string) => {
    if (payload !== queue) return;
    received++;
    for (const wake of waiters) wake();
  };
  return {
    listen: async () => {
      listening ??= sql.listen(CHANNEL, onNotify).then(
        (subscription) => {
          subscribed = true;
          return subscription;
        },
        (error: unknown) => {
          log.warn("job queue LISTEN failed; polling only", { error });
          listening = undefined;
          return null;
        },
      );
      await listening;
    },
    count: () => received,
    wait: (ms, signal) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
        if (subscribed) for (const resolve of onParked.splice(0)) resolve();
      }),
    parked: () => new Promise<void>((resolve) => onParked.push(resolve)),
    close: async () => {
      const subscription = await listening;
      listening = undefined;
      subscribed = false;
      await subscription?.unlisten();
    },
  };
}
