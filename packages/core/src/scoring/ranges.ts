import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { FileRange, Head } from "../csv/reader.ts";
import { isRetainwiseError, RetainwiseError } from "../errors.ts";
import { write } from "./output.ts";
import { LineAppender, Nudges } from "./line-appender.ts";
import { finishParts, startParts, type ParallelPlan, type PartsInOrder } from "./parallel.ts";
import { throwIfAborted, type ScoredPart } from "./pipeline.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";
import { describeError, scoreRangeToFiles, type RangeProgress, type RangeTask } from "./scoring-thread.ts";
import type { ScoreSummary } from "./summary-types.ts";
import { startScoringThread, type ScoringThread } from "./thread-handle.ts";

/**
 * A file on disk scored on several threads (parallel.ts) in contiguous ranges (csv/file-ranges.ts)
 * that each scorer reads from the disk itself: the most any split can gain, since two threads
 * each streaming half a file ran 1.84-1.94x one thread here (bench/ceiling.ts, PAIR=threads),
 * where a pool of 256 KiB pieces cut by one thread from the stream reached ~1.4x. A stream is
 * spooled to a file first (spool.ts) to be scored this way.
 *
 * This thread scores the first range straight into the output. Every other range is claimed, in
 * file order, by whichever scorer is free (this thread or a worker thread) and scored into files
 * of its own, which this thread appends to the output, the error report and the scores file in
 * file order, resolving positions: the output while it is still being written, the other two
 * (smaller) once the range is done. The ranges are ever smaller (`rangeShares`), so scorers that
 * start late (a thread takes ~0.3 s to load) or run on a slower core still finish together.
 *
 * Each scorer streams, so memory stays flat at any file size; backpressure holds within each range
 * (a slow output slows this thread; a slow disk, any), and lines not yet appended wait on the
 * disk, not in memory. The first failure in file order fails the file, as in one stream; after a
 * failure no range is started.
 */

/** The smallest range's share of the file: below this, a range costs more in set-up than it evens out. */
const MIN_SHARE = 0.01;

/**
 * The ranges' shares of the file on `threads` scorers, in file order: each is what is left over
 * `threads` (guided self-scheduling), so the first, this thread's, is a scorer's whole due, and
 * whoever is free takes the next, ever smaller. Scorers that start late or run slower are then
 * never more than a small range behind: on two threads, 50%, 25%, 12.5% … down to 1%.
 */
export function rangeShares(threads: number): number[] {
  const shares: number[] = [];
  for (let left = 1; left > 1e-9; ) {
    const next = Math.min(left, Math.max(left / threads, MIN_SHARE));
    shares.push(next);
    left -= next;
  }
  return shares;
}

/** A range and its outcome: scored by whoever claims it, appended in file order. */
interface Part {
  task: RangeTask;
  outcome: Promise<ScoredPart>;
  settle(outcome: Promise<ScoredPart>): void;
  settled: boolean;
  /** Nudged when its scorer says how far it is, and when it is done. */
  news: Nudges;
}

export async function scoreInRanges(
  head: Head,
  plan: ParallelPlan,
  ranges: FileRange[],
  options: ScoreCsvOptions,
): Promise<ScoreSummary> {
  const { output, errors, scores, signal } = options;
  const { here, threadData, order } = await startParts(head, plan, options);
  // Every range is read from the disk, this thread's too: the rest of the input stream is not needed.
  options.input.destroy();
  const dir = await mkdtemp(join(tmpdir(), "retainwise-ranges-"));
  const parts = ranges.map((range, i) =>
    part({
      ...range,
      output: join(dir, `${i}.csv`),
      ...(errors ? { errors: join(dir, `${i}.errors.csv`) } : {}),
      ...(scores ? { scores: join(dir, `${i}.scores.ndjson`) } : {}),
    }),
  );
  // Made here, so that this thread can open a range's file to follow it before its scorer has started.
  await Promise.all(
    parts
      .slice(1)
      .flatMap(({ task }) => [task.output, task.errors, task.scores].filter((path) => path !== undefined))
      .map((path) => writeFile(path, "")),
  );
  const underway = new Underway(order, parts.length);
  const claims = new Claims(parts, underway);
  // Once the file has failed, this thread's running range stops at its next batch (a thread's, when the thread is stopped).
  const failed = new AbortController();
  const stopping = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;

  const threads = Array.from({ length: options.threads! - 1 }, () =>
    startScoringThread(options.workerEntry!, threadData),
  );
  const onThreads = threads.map(async (starting) => {
    const thread = await starting.catch((error: unknown) => void claims.fail(error));
    for (let next = thread && claims.take(); next; next = claims.take()) {
      await claims.score(next, async (onProgress) => {
        const reply = await thread!.scoreRange(next!.part.task, onProgress);
        if ("error" in reply) throw new RetainwiseError(reply.error.code, reply.error.message);
        return reply;
      });
    }
  });
  const onThisThread = async () => {
    const sinks = {
      lines: (text: string) => write(output, order.resolve(text)),
      errors: errors && ((text: string) => write(errors, order.resolve(text))),
      scores: scores && ((text: string) => write(scores, order.resolve(text))),
    };
    const first = { part: parts[0]!, index: 0 };
    await claims.score(first, (onProgress) =>
      here.scoreRange(first.part.task, sinks, {
        signal: stopping,
        onProgress: (p) => onProgress({ rows: p.rowsProcessed, failed: p.rowsFailed, bytes: p.bytesRead }),
      }),
    );
    for (let next = claims.take(); next; next = claims.take())
      await claims.score(next, (onProgress) => scoreRangeToFiles(here, next!.part.task, stopping, onProgress));
  };
  let stopped: Promise<unknown> | undefined;
  const stopThreads = () =>
    (stopped ??= Promise.all(
      threads.map((starting) =>
        starting.then(
          (thread: ScoringThread) => thread.stop(),
          () => {},
        ),
      ),
    ));
  // Stopping a thread ends its running range at its next batch: an abort does not wait for the ranges before.
  const onAbort = () => void stopThreads();
  signal?.addEventListener("abort", onAbort, { once: true });
  // Threads are stopped as soon as every range is scored: their teardown overlaps the last copying here.
  const scoring = Promise.all([onThisThread(), ...onThreads]).finally(stopThreads);
  try {
    for (const [index, part] of parts.entries()) {
      const scored = index === 0 ? await part.outcome : await appendWhileScored(part, output, order);
      if (index > 0) await appendSideFiles(part.task, options, order);
      underway.joined(index);
      order.absorb(scored, part.task.end - part.task.start);
    }
  } catch (error) {
    claims.fail(error);
    failed.abort();
    throwIfAborted(signal);
    // A range's own failure names positions as placeholders, resolved here: the ranges before it are in.
    throw isRetainwiseError(error) ? order.failure(describeError(error)) : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await stopThreads();
    await scoring;
    await rm(dir, { recursive: true, force: true });
  }
  return finishParts(order, options);
}

type Claim = { part: Part; index: number };

/** The ranges after the first, taken in file order by whichever scorer is free, until one fails. */
class Claims {
  private next = 1;
  private failure: unknown;

  constructor(
    private readonly parts: Part[],
    private readonly underway: Underway,
  ) {}

  take(): Claim | undefined {
    if (this.failure !== undefined || this.next >= this.parts.length) return undefined;
    const index = this.next++;
    return { part: this.parts[index]!, index };
  }

  /** No range is taken after a failure; those no one will score fail with it: in file order they come after it, so it is the one reported. */
  fail(reason: unknown): void {
    this.failure ??= reason;
    for (const unclaimed of this.parts.slice(this.next)) unclaimed.settle(Promise.reject(reason));
    this.next = this.parts.length;
  }

  /** Scores a claimed range with `score`, which reports how far it is; a failure stops the taking. */
  async score(
    { part, index }: Claim,
    score: (onProgress: (progress: RangeProgress) => void) => Promise<ScoredPart>,
  ): Promise<void> {
    const outcome = score((progress) => {
      this.underway.report(index, progress);
      part.news.nudge();
    });
    part.settle(outcome);
    await outcome.then(
      ({ summary }) =>
        this.underway.report(index, {
          rows: summary.rowsScored + summary.rowsFailed,
          failed: summary.rowsFailed,
          bytes: part.task.end - part.task.start,
        }),
      (error: unknown) => this.fail(error),
    );
  }
}

/** Progress of the whole file: the ranges joined so far (`order`), and how far each other range is. */
class Underway {
  private readonly ranges: Array<RangeProgress | undefined>;

  constructor(
    private readonly order: PartsInOrder,
    count: number,
  ) {
    this.ranges = Array.from({ length: count }, () => ({ rows: 0, failed: 0, bytes: 0 }));
  }

  report(index: number, progress: RangeProgress): void {
    // A joined range counts in `order`: a report arriving after its join would count it twice.
    if (this.ranges[index] === undefined) return;
    this.ranges[index] = progress;
    const sum = (key: keyof RangeProgress) => this.ranges.reduce((a, p) => a + (p?.[key] ?? 0), 0);
    const { before, summary } = this.order;
    this.order.progress({
      rowsProcessed: before.rows + sum("rows"),
      rowsFailed: summary.rowsFailed + sum("failed"),
      bytesRead: before.bytes + sum("bytes"),
    });
  }

  /** The range is in `order` now: it counts there. */
  joined(index: number): void {
    this.ranges[index] = undefined;
  }
}

function part(task: RangeTask): Part {
  let settle!: (outcome: Promise<ScoredPart>) => void;
  const news = new Nudges();
  const claimed = new Promise<ScoredPart>((resolve) => (settle = (outcome) => resolve(outcome)));
  const it: Part = {
    task,
    outcome: claimed,
    settle(outcome) {
      settle(outcome);
      void outcome
        .catch(() => {})
        .finally(() => {
          it.settled = true;
          news.nudge();
        });
    },
    settled: false,
    news,
  };
  // Awaited only in file order: until then a failure must not count as unhandled (which ends the process).
  it.outcome.catch(() => {});
  return it;
}

/** Appends the range's lines to `output` as its scorer writes them, and returns its counts once it is done. */
async function appendWhileScored(part: Part, output: Writable, order: PartsInOrder): Promise<ScoredPart> {
  const file = await open(part.task.output);
  try {
    const lines = new LineAppender(file, output, order);
    for (;;) {
      // Both read before copying: what is written after the copy is then still copied in the next round.
      const [seen, settled] = [part.news.count, part.settled];
      await lines.catchUp();
      if (settled) break;
      await part.news.after(seen);
    }
    const scored = await part.outcome;
    await lines.end();
    return scored;
  } finally {
    await file.close();
  }
}

/** A range's error-report and scores lines, appended once it is done (the first range's went straight in). */
async function appendSideFiles(
  { errors, scores }: RangeTask,
  into: Pick<ScoreCsvOptions, "errors" | "scores">,
  order: PartsInOrder,
): Promise<void> {
  if (errors && into.errors) await appendAll(errors, into.errors, order);
  if (scores && into.scores) await appendAll(scores, into.scores, order);
}

async function appendAll(path: string, into: Writable, order: PartsInOrder): Promise<void> {
  const file = await open(path);
  try {
    const lines = new LineAppender(file, into, order);
    await lines.catchUp();
    await lines.end();
  } finally {
    await file.close();
  }
}
