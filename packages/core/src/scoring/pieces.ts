import type { Head } from "../csv/reader.ts";
import { replay } from "../csv/reader.ts";
import { lastRecordEnd } from "../csv/records.ts";
import { write } from "./output.ts";
import { finishParts, startParts, type ParallelPlan } from "./parallel.ts";
import { throwIfAborted, type PartScorer } from "./pipeline.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";
import { describeError, type PieceReply, type ThreadData } from "./scoring-thread.ts";
import type { ScoreSummary } from "./summary-types.ts";
import { startScoringThread, type ScoringThread } from "./thread-handle.ts";

/**
 * A stream scored on several threads (parallel.ts): this thread cuts the bytes into pieces of whole
 * records (csv/records.ts); a pool of scorers (this thread and worker threads, `startPool`) parses
 * each piece after the header record (sent to each thread once), scores and formats it; this thread
 * writes the results in file order. Backpressure: at most two pieces per thread are in flight, and
 * the next piece is read only after the oldest is written, so a slow consumer still slows the reader.
 */

/** Measured on 500k rows: 256 KiB pieces beat 1 MiB ones by ~8% (fewer records alive at once) at the same RSS. */
const PIECE_BYTES = 256 * 1024;
/**
 * A record longer than this (an unclosed quote) is cut anyway, to bound memory: csv-parse then
 * reports the quote, naming the end of this piece rather than of the file as the last line read.
 */
const MAX_PIECE_BYTES = 16 * 1024 * 1024;
const PIECES_IN_FLIGHT_PER_THREAD = 2;

export async function scoreInPieces(head: Head, plan: ParallelPlan, options: ScoreCsvOptions): Promise<ScoreSummary> {
  const { output, signal } = options;
  const { here, threadData, order } = await startParts(head, plan, options);
  const pool = startPool(options.threads!, here, options.workerEntry!, threadData);
  const inFlight: { reply: Promise<PieceReply>; bytes: number }[] = [];
  const writeOldest = async () => {
    const { reply, bytes } = inFlight.shift()!;
    const result = await reply;
    if ("error" in result) throw order.failure(result.error);
    await write(output, order.resolveBytes(result.bytes));
    if (options.errors && result.errors !== "") await write(options.errors, order.resolve(result.errors));
    if (options.scores && result.scores !== "") await write(options.scores, order.resolve(result.scores));
    order.absorb(result, bytes);
  };
  try {
    for await (const data of pieces(head, plan)) {
      throwIfAborted(signal);
      const bytes = data.length;
      const reply = pool.score(data);
      // Awaited only when its turn to be written comes: until then a failure must not count as unhandled (which ends the process).
      reply.catch(() => {});
      inFlight.push({ reply, bytes });
      if (inFlight.length >= pool.threads * PIECES_IN_FLIGHT_PER_THREAD) await writeOldest();
    }
    while (inFlight.length > 0) await writeOldest();
  } finally {
    await pool.close();
  }
  return finishParts(order, options);
}

/**
 * The data after the header, as pieces of whole records of about PIECE_BYTES. When no record ends
 * in what is pending (a long quoted field), the next try waits until it has doubled, so a long
 * record is joined and scanned a few times, not once per chunk.
 */
async function* pieces(head: Head, plan: ParallelPlan): AsyncGenerator<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  let tryAt = PIECE_BYTES;
  let headerLeft = plan.headerEnd;
  for await (const chunk of replay(head)) {
    const data = headerLeft > 0 ? chunk.subarray(headerLeft) : chunk;
    headerLeft = 0;
    parts.push(data);
    size += data.length;
    if (size < tryAt) continue;
    const pending = joined(parts, size);
    const end = lastRecordEnd(pending, plan.delimiter);
    const cut = end > 0 ? end : size > MAX_PIECE_BYTES ? size : 0;
    parts.length = 0;
    // The piece's memory moves to its thread: the few bytes after its last record are copied out first.
    if (cut < size) parts.push(cut > 0 ? Buffer.from(pending.subarray(cut)) : pending);
    if (cut > 0) yield pending.subarray(0, cut);
    size -= cut;
    tryAt = cut > 0 ? PIECE_BYTES : size * 2;
  }
  if (size > 0) yield joined(parts, size);
}

/**
 * `parts` in one Buffer that owns its memory from offset 0, so a piece cut from its start can be moved
 * (transferred) to a thread instead of copied. Buffer.concat may place a small result in Node's
 * shared Buffer pool, which must never be moved.
 */
function joined(parts: readonly Buffer[], size: number): Buffer {
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const part of parts) at += part.copy(out, at);
  return out;
}

interface ScoringPool {
  threads: number;
  /** Scores a piece of whole records that owns its memory from offset 0 (`joined`): the memory is moved to the thread. */
  score(piece: Buffer): Promise<PieceReply>;
  close(): Promise<void>;
}

/**
 * `threads` scorers: this thread and `threads - 1` worker threads that each load the model once;
 * a piece goes to the least busy, worker threads first on a tie. This thread scores too because
 * cutting and writing leave it idle most of the time (~1 s of 8 on 1M rows), and on a 2-core
 * machine a third busy JavaScript thread (with its own heap, JIT and GC) costs more than it adds.
 * Nothing waits for a worker thread to start (~0.3 s: its program, onnxruntime, the model): this
 * thread scores the first pieces meanwhile, so threads never make a mid-sized file slower. A thread
 * that fails to start fails the next piece handed out.
 */
function startPool(threads: number, here: PartScorer, entry: string | URL, data: ThreadData): ScoringPool {
  const members: ScoringThread[] = [];
  let startFailure: unknown;
  const starting = Array.from({ length: threads - 1 }, () =>
    startScoringThread(entry, data).then(
      (member) => void members.push(member),
      (error: unknown) => {
        startFailure ??= error;
      },
    ),
  );
  const local = scoreHere(here);
  return {
    threads,
    score(piece) {
      if (startFailure !== undefined) return Promise.reject(startFailure);
      const member = members.reduce<ScoringThread | undefined>(
        (a, b) => (a === undefined || b.pending() < a.pending() ? b : a),
        undefined,
      );
      return member === undefined || local.busy() < member.pending() ? local.score(piece) : member.score(piece);
    },
    async close() {
      await Promise.all(starting);
      await Promise.all(members.map((member) => member.stop()));
    },
  };
}

/** This thread as a pool member: its pieces are scored one at a time (the scorer's buffers serve one piece), as a thread would. */
function scoreHere(scorer: PartScorer): { busy(): number; score(piece: Buffer): Promise<PieceReply> } {
  let queued = 0;
  let last: Promise<unknown> = Promise.resolve();
  return {
    busy: () => queued,
    score(piece) {
      queued++;
      const reply = last
        .then(() => scorer.score(piece))
        .then(
          (scored): PieceReply => ({ id: -1, ...scored }),
          (error: unknown): PieceReply => ({ id: -1, error: describeError(error) }),
        );
      last = reply.finally(() => queued--);
      return reply;
    },
  };
}
