import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { FileRange } from "./reader.ts";
import { firstRecordEnd, lastRecordEnd } from "./records.ts";

const BLOCK_BYTES = 1024 * 1024;
/** A record longer than this is taken for an unclosed quote: such a file is scored as one stream, which reports it. */
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/** Bytes of an input read at an offset: a file on disk, or an object read front to back (`sequentialBytes`). */
export interface BytesAt {
  size: number;
  /** Up to `length` bytes from `at` (fewer only at the end); valid until the next read. */
  read(at: number, length: number): Promise<Buffer>;
}

/**
 * Cuts the bytes of the file at `path` from `start` (a record's start: the end of the header) to
 * its end into contiguous ranges of whole records, the nth about `shares[n]` of them (the shares
 * add up to 1), so that each range can be parsed on its own (scoring/ranges.ts). See `cutRecords`.
 */
export async function cutIntoRanges(
  path: string,
  start: number,
  shares: readonly number[],
  delimiter: number,
): Promise<FileRange[] | undefined> {
  const file = await open(path);
  try {
    const block = Buffer.allocUnsafe(MAX_BLOCK_BYTES);
    const bytes: BytesAt = {
      size: (await file.stat()).size,
      read: async (at, length) =>
        block.subarray(0, (await file.read(block, 0, Math.min(length, block.length), at)).bytesRead),
    };
    const cuts = await cutRecords(bytes, start, shares, delimiter);
    return cuts?.slice(1).map((end, i) => ({ path, start: cuts[i]!, end }));
  } finally {
    await file.close();
  }
}

/**
 * The offsets that cut `bytes` from `start` to its end into ranges of whole records, the nth about
 * `shares[n]` of them: `[start, cut1, …, size]`. Whether a newline ends a record depends on every
 * quote before it, so the input is scanned block by block from `start` to the last cut, each block
 * starting where a record does (records.ts); text without quotes costs one `indexOf` a block. A
 * cut is the first record end at or after its share.
 *
 * A range too small to cut (within a record of the cut before) joins the one before; undefined
 * when no record ends within 16 MiB where a cut must go (an unclosed quote): such a file is better
 * read as one stream, which reports it.
 */
export async function cutRecords(
  bytes: BytesAt,
  start: number,
  shares: readonly number[],
  delimiter: number,
): Promise<number[] | undefined> {
  const end = bytes.size;
  const cuts = [start];
  let at = start;
  let share = 0;
  let reach = BLOCK_BYTES;
  for (const next of shares.slice(0, -1)) {
    share += next;
    const target = start + Math.round((end - start) * share);
    while (at < target) {
      const view = await bytes.read(at, Math.min(end - at, reach));
      const recordEnd = target - at < view.length ? firstRecordEnd(view, delimiter, target - at) : -1;
      const step = recordEnd > 0 ? recordEnd : lastRecordEnd(view, delimiter);
      if (step > 0) {
        at += step;
        reach = BLOCK_BYTES;
      } else if (at + view.length >= end) {
        at = end;
      } else if (reach < MAX_BLOCK_BYTES) {
        // No record ends in what was read (a long quoted field): read twice as far from the same place.
        reach = Math.min(reach * 2, MAX_BLOCK_BYTES);
      } else return undefined;
    }
    // The rest of the input is the last range.
    if (at >= end) break;
    if (at > cuts.at(-1)!) cuts.push(at);
  }
  return [...cuts, end];
}

/**
 * `BytesAt` over a stream opened at an offset (an object store's ranged GET): reads that go
 * forward, as `cutRecords` does, are served from one stream and a buffer of what was read past the
 * last offset asked for; a read behind it opens the stream again there. Close it when done.
 */
export function sequentialBytes(
  size: number,
  openAt: (start: number) => Promise<Readable>,
): BytesAt & { close(): void } {
  let stream: Readable | undefined;
  let chunks: AsyncIterator<Buffer> | undefined;
  let buffer: Buffer = Buffer.alloc(0);
  let bufferStart = 0;
  const reopen = async (at: number) => {
    stream?.destroy();
    stream = await openAt(at);
    chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    buffer = Buffer.alloc(0);
    bufferStart = at;
  };
  return {
    size,
    async read(at, length) {
      if (!chunks || at < bufferStart || at > bufferStart + buffer.length) await reopen(at);
      buffer = buffer.subarray(at - bufferStart);
      bufferStart = at;
      const parts: Buffer[] = [buffer];
      let have = buffer.length;
      while (have < length) {
        const next = await chunks!.next();
        if (next.done) break;
        parts.push(next.value);
        have += next.value.length;
      }
      buffer = parts.length === 1 ? buffer : Buffer.concat(parts, have);
      return buffer.subarray(0, length);
    },
    close: () => void stream?.destroy(),
  };
}
