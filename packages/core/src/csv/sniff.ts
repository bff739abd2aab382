import { isUtf8 } from "node:buffer";
import { RetainwiseError } from "../errors.ts";
import { ABSOLUTE_POSITIONS, type Positions } from "./positions.ts";

/** Delimiters we accept, in the order we prefer them on a tie. */
export const DELIMITERS = [",", ";", "\t", "|"] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** How much of the file we look at before parsing: enough for a header row and a few records. */
export const SNIFF_BYTES = 64 * 1024;

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Rejects what is not UTF-8 text (a spreadsheet saved as .xlsx, a zip, a UTF-16 export) and picks
 * the delimiter from the header line: the candidate that occurs most often outside quotes.
 * `complete` says whether `head` is the whole file (a truncated multi-byte character at the end of
 * a partial head is not an error).
 */
export function sniffCsv(head: Uint8Array, complete: boolean): { delimiter: Delimiter } {
  const body = startsWithBom(head) ? head.subarray(3) : head;
  if (body.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d)) {
    throw new RetainwiseError(
      "csv.empty",
      "The file is empty. Upload a CSV with a header row and one row per customer.",
    );
  }
  if (looksUtf16(head)) {
    throw new RetainwiseError(
      "csv.not_text",
      "The file is saved as UTF-16 text (Excel's 'Unicode Text'), not UTF-8. Export it as 'CSV UTF-8' and use that file.",
    );
  }
  if (body.includes(0)) throw notTextError();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(complete ? body : trimPartialCharacter(body));
  } catch (cause) {
    throw notTextError(cause);
  }
  return { delimiter: pickDelimiter(firstLine(text)) };
}

/**
 * The sniffer only decodes the head; this checks every chunk as it streams by, so a file that turns
 * into Windows-1252 (or holds a NUL) after the first 64 KiB fails instead of scoring mojibake. A
 * character split across chunks is carried into the next one. `check` returns the error to fail
 * with, or null.
 */
export function createUtf8Check(positions: Positions = ABSOLUTE_POSITIONS): {
  check(chunk: Uint8Array): RetainwiseError | null;
  end(): RetainwiseError | null;
} {
  let carry: Uint8Array = new Uint8Array(0);
  let offset = 0;
  const invalid = () =>
    new RetainwiseError(
      "csv.not_text",
      `The file stops being UTF-8 text after about ${positions.byte(offset)} bytes (part of it is in another encoding, such as Windows-1252). Export it as 'CSV UTF-8' and use that file.`,
    );
  return {
    check(chunk) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const whole = trimPartialCharacter(bytes);
      carry = bytes.slice(whole.length);
      if (!isUtf8(whole)) return invalid();
      // The head's NUL is refused by the sniffer; one further on would reach the results and the
      // database (whose text cannot hold it) and would collide with the position placeholders.
      const nul = Buffer.from(whole.buffer, whole.byteOffset, whole.length).indexOf(0);
      if (nul >= 0) return holdsNul(positions.byte(offset + nul));
      offset += whole.length;
      return null;
    },
    end: () => (carry.length > 0 ? invalid() : null),
  };
}

function holdsNul(at: string): RetainwiseError {
  return new RetainwiseError(
    "csv.not_text",
    `The file holds a NUL character (a zero byte) at byte ${at}, which no CSV text has: it is a binary file, or text damaged on its way. Export the data as 'CSV UTF-8' again and use that file.`,
  );
}

export function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/** A UTF-16 byte order mark, or ASCII text with every other byte zero (UTF-16 without a BOM). */
function looksUtf16(bytes: Uint8Array): boolean {
  const [a, b, c, d] = bytes;
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return true;
  return (a !== 0 && b === 0 && c !== 0 && d === 0) || (a === 0 && b !== 0 && c === 0 && d !== 0);
}

function notTextError(cause?: unknown): RetainwiseError {
  return new RetainwiseError(
    "csv.not_text",
    "The file is not a UTF-8 text CSV (it looks binary, e.g. an Excel workbook or a zip). Export it as 'CSV UTF-8' and use that file.",
    { cause },
  );
}

/** Drops an incomplete UTF-8 sequence at the end of a partial read. */
function trimPartialCharacter(bytes: Uint8Array): Uint8Array {
  const end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, end - back) : bytes;
  }
  return bytes;
}

/** The header line, without breaking on newlines inside quotes; blank lines before it are skipped, as the reader skips them. */
function firstLine(text: string): string {
  let quoted = false;
  for (let i = text.search(/[^\r\n]|$/); i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) return text.slice(0, i);
  }
  return text;
}

function pickDelimiter(line: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ",";
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}
