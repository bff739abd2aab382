const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Where whole records end in raw CSV bytes, so a file can be cut into ranges that parse on their
 * own (file-ranges.ts). A quote opens a field only at the field's start and `""` inside quotes
 * is an escaped quote — csv-parse's reading — so a stray quote mid-field (`12" screen`, which
 * csv-parse reports as a bad row) does not hide the newlines after it. `bytes` must begin at the
 * start of a record.
 */

/** Offset just past the last newline outside quotes, or -1 when `bytes` holds no whole record. */
export function lastRecordEnd(bytes: Buffer, delimiter: number): number {
  let end = -1;
  scanRecordEnds(bytes, delimiter, (from, to) => {
    const newline = to > from ? bytes.lastIndexOf(LF, to - 1) : -1;
    if (newline >= from) end = newline + 1;
    return true;
  });
  return end;
}

/** Offset just past the first newline outside quotes at or after `after`, or -1. */
export function firstRecordEnd(bytes: Buffer, delimiter: number, after = 0): number {
  let end = -1;
  scanRecordEnds(bytes, delimiter, (from, to) => {
    if (to <= after) return true;
    const newline = bytes.indexOf(LF, Math.max(from, after));
    if (newline === -1 || newline >= to) return true;
    end = newline + 1;
    return false;
  });
  return end;
}

/**
 * Calls `visit(from, to)` for each unquoted stretch in order, until it returns false. Stops early
 * at a closing quote in the last byte: whether it is `""` depends on bytes not read yet.
 */
function scanRecordEnds(bytes: Buffer, delimiter: number, visit: (from: number, to: number) => boolean): void {
  let at = 0;
  let quoted = false;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    const stop = quote === -1 ? bytes.length : quote;
    if (!quoted && !visit(at, stop)) return;
    if (quote === -1) return;
    if (quoted) {
      if (quote + 1 === bytes.length) return;
      if (bytes[quote + 1] === QUOTE) {
        at = quote + 2;
        continue;
      }
      quoted = false;
    } else {
      const before = quote === 0 ? LF : bytes[quote - 1];
      quoted = before === delimiter || before === LF || before === CR;
    }
    at = quote + 1;
  }
}
