import { open } from "node:fs/promises";
import type { FileRange } from "./reader.ts";
import { firstRecordEnd, lastRecordEnd } from "./records.ts";

const BLOCK_BYTES = 1024 * 1024;
/** As a piece (scoring/pieces.ts): a record longer than this is taken for an unclosed quote. */
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/**
 * Cuts the bytes of the file at `path` from `start` (a record's start: the end of the header) to
 * its end into contiguous ranges of whole records, the nth about `shares[n]` of them (the shares
 * add up to 1), so that each range can be parsed on its own (scoring/ranges.ts). Whether a
 * newline ends a record depends on every quote before it, so the file is scanned block by block
 * from `start` to the last cut, each block starting where a record does (records.ts); text
 * without quotes costs one `indexOf` a block. A cut is the first record end at or after its share.
 *
 * A range too small to cut (within a record of the cut before) joins the one before; undefined
 * when no record ends within 16 MiB where a cut must go (an unclosed quote): such a file is better
 * read as one stream, which reports it.
 */
export async function cutIntoRanges(path: string, start: number, shares: readonly number[], delimiter: number): Promise<FileRange[] | undefined> {
  const file = await open(path);
  try {
    const end = (await file.stat()).size;
    const cuts = [start];
    let at = start;
    let share = 0;
    let block = Buffer.allocUnsafe(BLOCK_BYTES);
    let reach = BLOCK_BYTES;
    for (const next of shares.slice(0, -1)) {
      share += next;
      const target = start + Math.round((end - start) * share);
      while (at < target) {
        const { bytesRead } = await file.read(block, 0, Math.min(end - at, reach), at);
        const view = block.subarray(0, bytesRead);
        const recordEnd = target - at < bytesRead ? firstRecordEnd(view, delimiter, target - at) : -1;
        const step = recordEnd > 0 ? recordEnd : lastRecordEnd(view, delimiter);
        if (step > 0) {
          at += step;
          reach = BLOCK_BYTES;
        } else if (at + bytesRead >= end) {
          at = end;
        } else if (reach < MAX_BLOCK_BYTES) {
          // No record ends in what was read (a long quoted field): read twice as far from the same place.
          reach = Math.min(reach * 2, MAX_BLOCK_BYTES);
          if (reach > block.length) block = Buffer.allocUnsafe(reach);
        } else return undefined;
      }
      // The rest of the file is the last range.
      if (at >= end) break;
      if (at > cuts.at(-1)!) cuts.push(at);
    }
    return ranges(path, [...cuts, end]);
  } finally {
    await file.close();
  }
}

function ranges(path: string, cuts: number[]): FileRange[] {
  return cuts.slice(1).map((end, i) => ({ path, start: cuts[i]!, end }));
}
