import { Readable } from "node:stream";
import { Worker } from "node:worker_threads";
import { openCsv } from "../csv/index.ts";
import { resolvePositions } from "../csv/positions.ts";
import { replay, type Head } from "../csv/reader.ts";
import { firstRecordEnd, lastRecordEnd } from "../csv/records.ts";
import { sniffCsv } from "../csv/sniff.ts";
import { RetainwiseError, TransientError, type ErrorCode } from "../errors.ts";
import { customerIdsOf, headNumberFormat, planColumns } from "./batch.ts";
import { planChallenger } from "./challenger.ts";
import { ERROR_REPORT_HEADER } from "./error-report.ts";
import { endOutput, headerLine, write } from "./output.ts";
import { PieceScorer, throwIfAborted } from "./pipeline.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";
import { describeError, SCORING_THREAD, type PieceReply, type ThreadData } from "./scoring-thread.ts";
import { assertFewBadRows, SummaryBuilder } from "./summary.ts";
import type { ScoreSummary } from "./summary-types.ts";

/**
 * Scoring a large file on several threads. onnxruntime-node runs `session.run` on the calling
 * thread and csv-parse is single-threaded, so one thread is the ceiling of a single stream. Here the
 * calling thread cuts the bytes into pieces of whole records (csv/records.ts); a pool of scorers
 * (this thread and worker threads, `startPool`) parses each piece after the header record (sent to
 * each thread once), scores and formats it; this thread writes the results in file order. Backpressure: at most two pieces per thread are in flight, and
 * the next piece is read only after the oldest is written, so a slow consumer still slows the reader.
 *
 * A piece does not know its place in the file, so its messages carry placeholders for row, line and
 * byte positions (csv/positions.ts), resolved here once the pieces before it are counted. A
 * file-level error in a piece wins only once every earlier piece is written, as it would in one
 * stream.
 */

/** Below this a file is scored on the calling thread: starting threads (~0.3 s each) would cost more than they save. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
/** Measured on 500k rows: 256 KiB pieces beat 1 MiB ones by ~8% (fewer records alive at once) at the same RSS. */
const PIECE_BYTES = 256 * 1024;
/**
 * A record longer than this (an unclosed quote) is cut anyway, to bound memory: csv-parse then
 * reports the quote, naming the end of this piece rather than of the file as the last line read.
 */
const MAX_PIECE_BYTES = 16 * 1024 * 1024;
const PIECES_IN_FLIGHT_PER_THREAD = 2;

export interface ParallelPlan {
  /** Where the header record ends: threads read every piece after these bytes. */
  headerEnd: number;
  delimiter: number;
}

/** How to cut the file, when it is worth cutting; else undefined. */
export function parallelPlan(head: Head, options: ScoreCsvOptions): ParallelPlan | undefined {
  const threads = options.threads ?? 1;
  if (threads < 2 || options.workerEntry === undefined || head.complete) return undefined;
  if ((options.totalBytes ?? Number.POSITIVE_INFINITY) < PARALLEL_MIN_BYTES) return undefined;
  const delimiter = sniffCsv(head.head, false).delimiter.charCodeAt(0);
  const headerEnd = firstRecordEnd(head.head, delimiter);
  return headerEnd > 0 ? { headerEnd, delimiter } : undefined;
}

export async function scoreInParallel(head: Head, plan: ParallelPlan, options: ScoreCsvOptions): Promise<ScoreSummary> {
  const { output, model, includeInput = false, signal, onProgress, challenger, drift } = options;
  const header = head.head.subarray(0, plan.headerEnd);
  const headerOnly = await openCsv(Readable.from([header]));
  const { headers } = headerOnly;
  const numberFormat = headNumberFormat(head, headerOnly, model);
  const layout = planColumns(headers, model, numberFormat);
  await headerOnly.read([], Number.POSITIVE_INFINITY);
  // The challenger's columns are checked here, before any thread starts: a file it cannot read fails at once.
  const second = challenger && { model: challenger.source, version: challenger.version, numberFormat: planChallenger(head, headerOnly, challenger).numberFormat };
  await write(output, headerLine(headers, includeInput, challenger !== undefined));
  if (options.errors) await write(options.errors, ERROR_REPORT_HEADER);

  const settings = { headers, delimiter: headerOnly.delimiter, includeInput, numberFormat, countDrift: drift !== undefined };
  const here = new PieceScorer(headers, headerOnly.delimiter, model, { ...settings, ...(challenger && second ? { challenger: { model: challenger, numberFormat: second.numberFormat } } : {}) });
  const pool = startPool(options.threads!, here, options.workerEntry!, { ...settings, model: model.source, version: model.version, ...(second ? { challenger: second } : {}) });
  const summary = new SummaryBuilder(model.version, customerIdsOf(layout));
  // A piece counts csv-parse's lines from 1 (the line it starts on): before it are the header's and the earlier pieces'.
  const before = { rows: 0, lines: headerOnly.lines() - 1, bytes: 0 };
  const inFlight: { reply: Promise<PieceReply>; bytes: number }[] = [];
  const writeOldest = async () => {
    const { reply, bytes } = inFlight.shift()!;
    const result = await reply;
    if ("error" in result) throw new RetainwiseError(result.error.code, resolvePositions(result.error.message, before), { kind: result.error.kind });
    // Row numbers stand as placeholders in a piece's failed rows, and in every id of a file without an id column.
    const placeholders = result.summary.rowsFailed > 0 || result.summary.customerIds === "row_number";
    await write(output, placeholders ? resolvePositions(Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength).toString(), before) : result.bytes);
    if (options.errors && result.errors !== "") await write(options.errors, resolvePositions(result.errors, before));
    summary.absorb(result.summary, before);
    if (result.drift) drift?.merge(result.drift);
    before.rows += result.summary.rowsScored + result.summary.rowsFailed;
    before.lines += result.lines - 1;
    before.bytes += bytes;
    onProgress?.({ rowsProcessed: before.rows, rowsFailed: summary.rowsFailed, bytesRead: header.length + before.bytes, totalBytes: options.totalBytes });
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
  const built = summary.build();
  if (options.errors) await endOutput(options.errors);
  assertFewBadRows(built, options.maxBadRowShare);
  await endOutput(output);
  return built;
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
function startPool(threads: number, here: PieceScorer, entry: string | URL, settings: Omit<ThreadData, typeof SCORING_THREAD>): ScoringPool {
  const data: ThreadData = { [SCORING_THREAD]: true, ...settings };
  const members: Member[] = [];
  let startFailure: unknown;
  const starting = Array.from({ length: threads - 1 }, () =>
    startThread(entry, data).then(
      (member) => void members.push(member),
      (error: unknown) => void (startFailure ??= error),
    ),
  );
  const local = scoreHere(here);
  let nextId = 0;
  return {
    threads,
    score(piece) {
      if (startFailure !== undefined) return Promise.reject(startFailure);
      const member = members.reduce<Member | undefined>((a, b) => (a === undefined || b.pending.size < a.pending.size ? b : a), undefined);
      if (member === undefined || local.busy() < member.pending.size) return local.score(piece);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        member.pending.set(id, { resolve, reject });
        member.worker.postMessage({ id, piece }, [piece.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(starting);
      await Promise.all(members.map(stopThread));
    },
  };
}

/** This thread as a pool member: its pieces are scored one at a time (the scorer's buffers serve one piece), as a thread would. */
function scoreHere(scorer: PieceScorer): { busy(): number; score(piece: Buffer): Promise<PieceReply> } {
  let queued = 0;
  let last: Promise<unknown> = Promise.resolve();
  return {
    busy: () => queued,
    score(piece) {
      queued++;
      const reply = last.then(() => scorer.score(piece)).then(
        (scored): PieceReply => ({ id: -1, ...scored }),
        (error: unknown): PieceReply => ({ id: -1, error: describeError(error) }),
      );
      last = reply.finally(() => queued--);
      return reply;
    },
  };
}

/**
 * Asks the thread to stop once its running piece is done, then ends it. `worker.terminate()` on a
 * thread inside `session.run` aborts the whole process (onnxruntime-node's native code throws as
 * the thread's environment goes away), so a busy thread is never terminated.
 */
async function stopThread(member: Member): Promise<void> {
  if (member.exited) return;
  const idle = new Promise<void>((resolve) => {
    member.worker.on("message", (message: { closed?: true }) => message.closed && resolve());
    member.worker.once("exit", () => resolve());
  });
  member.worker.postMessage({ close: true });
  await idle;
  await member.worker.terminate();
}

interface Member {
  worker: Worker;
  pending: Map<number, { resolve(reply: PieceReply): void; reject(error: Error): void }>;
  exited: boolean;
}

function startThread(entry: string | URL, data: ThreadData): Promise<Member> {
  // Capping the old generation at 128 MB (a piece's records need ~30 MB) cut peak RSS by ~80 MB at the
  // same speed. The young generation stays at the default 16 MB: 32 MB cost ~18 MB of peak RSS on two
  // threads (270 -> 252 MB, 200k rows) once batches reuse their buffers; what it buys in speed could not be
  // measured on the shared machine that day (load 30+).
  const worker = new Worker(entry, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 } });
  const member: Member = { worker, pending: new Map(), exited: false };
  const fail = (error: Error) => {
    for (const { reject } of member.pending.values()) reject(error);
    member.pending.clear();
  };
  return new Promise((resolve, reject) => {
    worker.on("message", (message: { ready: true } | { closed: true } | { failed: { code: ErrorCode; message: string } } | PieceReply) => {
      if ("ready" in message) return resolve(member);
      if ("closed" in message) return;
      if ("failed" in message) return reject(new RetainwiseError(message.failed.code, message.failed.message));
      const waiting = member.pending.get(message.id);
      member.pending.delete(message.id);
      waiting?.resolve(message);
    });
    const lost = (why: string) => {
      const error = new TransientError("scoring.thread_failed", `A scoring thread stopped unexpectedly (${why}).`);
      reject(error);
      fail(error);
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => {
      member.exited = true;
      lost(`exit code ${code}`);
    });
  });
}
