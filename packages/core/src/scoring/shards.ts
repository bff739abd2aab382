import type { Readable, Writable } from "node:stream";
import { resolvePositions } from "../csv/positions.ts";
import type { Head } from "../csv/reader.ts";
import { RetainwiseError } from "../errors.ts";
import { ERROR_REPORT_HEADER } from "./error-report.ts";
import { endOutput, write } from "./output.ts";
import { partsPlan, prepareParts, type ParallelPlan, type PartsSetup } from "./parallel.ts";
import type { ScoredPart } from "./pipeline.ts";
import type { ScoreCsvOptions } from "./score-csv.ts";

/**
 * One shard of a large file (predictions/shards.ts): a range of whole records scored on its own, like a
 * range on a thread (ranges.ts) but in any worker process, so its row and line positions are
 * placeholders (csv/positions.ts) that the merge resolves once the shards before it are counted.
 * Byte positions too: a part is scored as if it started at byte 0 of the data.
 */
export interface ShardScoreOptions
  extends Omit<
    ScoreCsvOptions,
    "input" | "inputPath" | "threads" | "workerEntry" | "totalBytes" | "errors" | "scores"
  > {
  /** The head of the whole file (its first SNIFF_BYTES): its header, delimiter and number format. */
  head: Head;
  /** The shard's bytes. */
  records: AsyncIterable<Buffer>;
  /** The first shard's part starts the output and the error report: it writes their headers. */
  first: boolean;
  errors: Writable;
  scores: Writable;
}

export interface ScoredShard extends ScoredPart {
  /** The output (or the scores) holds placeholders: it must be resolved, not copied as it is. */
  outputPlaceholders: boolean;
  scoresPlaceholders: boolean;
}

/** The file's plan as every shard and the merge read it from the head. */
export function shardPlan(head: Head): ParallelPlan {
  const plan = partsPlan(head);
  // The plan was made from the same head when the file was split: only a changed input fails here.
  if (!plan) throw new RetainwiseError("internal", "The stored input no longer has the header it was split after.");
  return plan;
}

/** The setup every shard and the merge share: the header's columns checked, the parts' join started. */
export function shardSetup(head: Head, options: Omit<ScoreCsvOptions, "input" | "output">): Promise<PartsSetup> {
  return prepareParts(head, shardPlan(head), options);
}

/** Scores a shard into its three bodies, ending them; no verdict on bad rows (the merge makes it for the file). */
export async function scoreShard(options: ShardScoreOptions): Promise<ScoredShard> {
  const { output, errors, scores } = options;
  const { here, headerLine } = await shardSetup(options.head, options);
  if (options.first) {
    await write(output, headerLine);
    await write(errors, ERROR_REPORT_HEADER);
  }
  let outputPlaceholders = false;
  let scoresPlaceholders = false;
  const sinks = {
    lines: (text: string) => {
      outputPlaceholders ||= text.includes("\u0000");
      return write(output, text);
    },
    errors: (text: string) => write(errors, text),
    scores: (text: string) => {
      scoresPlaceholders ||= text.includes("\u0000");
      return write(scores, text);
    },
  };
  const scored = await here.scoreStream(options.records, sinks, {
    signal: options.signal,
    onProgress: options.onProgress,
  });
  await Promise.all([endOutput(errors), endOutput(scores), endOutput(output)]);
  return { ...scored, outputPlaceholders, scoresPlaceholders };
}

/**
 * A part's bytes with its placeholders made file-wide, given what is before it. A placeholder
 * never holds a newline, so text is resolved up to each chunk's last newline and the rest waits
 * for the next chunk.
 */
export async function* resolvedPart(
  part: Readable,
  before: { rows: number; lines: number; bytes: number },
): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const chunk of part) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const cut = bytes.lastIndexOf(0x0a) + 1;
    carry = Buffer.from(bytes.subarray(cut));
    if (cut > 0) yield resolvedBytes(bytes.subarray(0, cut), before);
  }
  if (carry.length > 0) yield resolvedBytes(carry, before);
}

function resolvedBytes(bytes: Buffer, before: { rows: number; lines: number; bytes: number }): Buffer {
  return bytes.indexOf(0) === -1 ? bytes : Buffer.from(resolvePositions(bytes.toString(), before));
}
