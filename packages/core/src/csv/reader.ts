import { createReadStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { parse, type CsvError } from "csv-parse";
import { ellipsize } from "../bounded-text.ts";
import { RetainwiseError } from "../errors.ts";
import { ABSOLUTE_POSITIONS, type Positions } from "./positions.ts";
import { createUtf8Check, SNIFF_BYTES, sniffCsv, type Delimiter } from "./sniff.ts";

/**
 * An open CSV: its header and its data records (arrays of strings, as csv-parse yields them —
 * array rows are ~3x faster than `columns: true` objects), read a batch at a time.
 * Reading is pull-based: records are parsed only as fast as the consumer reads, so a slow
 * consumer holds back the input stream (backpressure) and memory stays at a few chunks.
 */
export interface CsvSource {
  headers: string[];
  delimiter: Delimiter;
  /**
   * Replaces the contents of `into` with the next records, up to `max`; fewer only at the end of
   * the file (none: the end). Records already parsed are taken synchronously, without a promise
   * each: an async iterator's step per record was a measurable share of a scoring run.
   */
  read(into: string[][], max: number): Promise<void>;
  /** The same records one at a time, for readers that need no speed (training); use one of the two, not both. */
  records: AsyncIterator<string[]>;
  /** Bytes of the input consumed so far (for progress). */
  bytesRead(): number;
  /** Lines csv-parse has counted so far, as it numbers them in errors (from 1; `\r\n` inside quotes counts 2). */
  lines(): number;
}

/**
 * Stands in for a record csv-parse could not read (e.g. a stray quote), at its place in the stream,
 * so the row keeps its row number and still gets an output row with the reason.
 */
export type UnreadableRecord = string[] & { unreadable: string };

export function isUnreadable(record: string[]): record is UnreadableRecord {
  return (record as Partial<UnreadableRecord>).unreadable !== undefined;
}

/** Reads the head of `input`, rejects what is not CSV text, and starts parsing. */
export async function openCsv(input: Readable, positions: Positions = ABSOLUTE_POSITIONS): Promise<CsvSource> {
  return openCsvAfterHead(await readHead(input), positions);
}

/** `openCsv` for a caller that has already read the head (to look at it first). */
export async function openCsvAfterHead(
  { head, complete, rest }: Head,
  positions: Positions = ABSOLUTE_POSITIONS,
): Promise<CsvSource> {
  const { delimiter } = sniffCsv(head, complete);
  const records = parseRecords(replay({ head, complete, rest }), delimiter, positions, true);
  const first: string[][] = [];
  await records.read(first, 1);
  if (first.length === 0)
    throw new RetainwiseError(
      "csv.empty",
      "The file is empty. Upload a CSV with a header row and one row per customer.",
    );
  const headers = first[0]!.map((h) => h.trim());
  if (headers.every((h) => h === "")) {
    throw new RetainwiseError(
      "csv.no_header",
      "The first row of the file is blank: the file needs a header row naming its columns (customerID, tenure, Contract, …).",
    );
  }
  return { ...records, headers, delimiter, records: oneByOne(records.read) };
}

/** The data records of a file, as `CsvSource` reads them, without its header. */
export type RecordSource = Pick<CsvSource, "delimiter" | "read" | "bytesRead" | "lines">;

/**
 * A range is read from the disk in chunks of this size: fed a large buffer at once, csv-parse
 * would turn it into records all alive until read; in small chunks only about a batch's worth is,
 * and fewer records outlive the young generation.
 */
const RANGE_CHUNK_BYTES = 64 * 1024;

/** Bytes [start, end) of a file on disk. */
export interface FileRange {
  path: string;
  start: number;
  end: number;
}

/**
 * The records of a range of a file cut at record boundaries (scoring/ranges.ts), read from the
 * disk as they are parsed: no header, no sniffing (the file was sniffed once), row and line
 * numbers counted from the range's start.
 */
export function openFileRange(
  { path, start, end }: FileRange,
  delimiter: Delimiter,
  positions: Positions,
): RecordSource {
  const chunks = end > start ? createReadStream(path, { start, end: end - 1, highWaterMark: RANGE_CHUNK_BYTES }) : [];
  return openRange(chunks, delimiter, positions);
}

/** The records of a range of whole records streamed from anywhere (an object store's ranged GET): as `openFileRange`. */
export function openRange(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  delimiter: Delimiter,
  positions: Positions,
): RecordSource {
  return { ...parseRecords(chunks, delimiter, positions, false), delimiter };
}

/**
 * csv-parse over `chunks`, each checked to be UTF-8. A record csv-parse cannot read becomes an
 * `UnreadableRecord` in its place; a broken quote that makes the rest unreadable fails the read.
 * `withHeader`: the first record is the header, so data rows count from the second.
 */
function parseRecords(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  delimiter: Delimiter,
  positions: Positions,
  withHeader: boolean,
): Omit<RecordSource, "delimiter"> {
  let bytes = 0;
  const utf8 = createUtf8Check(positions);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(utf8.check(chunk), chunk);
    },
    flush(done) {
      done(utf8.end());
    },
  });
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  // "skip" is emitted synchronously inside the parser's transform, so the pushed stand-in lands exactly where the record was.
  // A record can raise several errors (`Mailed "paper" check` has two stray quotes): one stand-in per record and line.
  // csv-parse counts only the records it emits (the header too, when there is one), so the data row of an error is its count plus our stand-ins
  // (plus one without a header: the count is then of the data rows before it).
  const headerless = withHeader ? 0 : 1;
  let lastSkipped = "";
  let standIns = 0;
  parser.on("skip", (error: CsvError) => {
    const { records = 0, lines } = error as { records?: number; lines?: number };
    const outcome = skippedRow(error, records + standIns + headerless, positions);
    if (outcome instanceof RetainwiseError) return parser.destroy(outcome);
    if (`${records}:${lines}` === lastSkipped) return;
    lastSkipped = `${records}:${lines}`;
    standIns++;
    parser.push(outcome);
  });
  const source = Readable.from(chunks, { objectMode: false });
  source.on("error", (error) => parser.destroy(error));
  counter.on("error", (error) => parser.destroy(error));
  source.pipe(counter).pipe(parser);
  return { read: batchReader(parser), bytesRead: () => bytes, lines: () => parser.info.lines };
}

async function* oneByOne(read: CsvSource["read"]): AsyncGenerator<string[]> {
  const batch: string[][] = [];
  for (;;) {
    await read(batch, 256);
    if (batch.length === 0) return;
    yield* batch;
  }
}

/** `CsvSource.read` over a paused object stream: `read()` while it has records, else wait for `readable`, `end` or `error`. */
function batchReader(parser: Readable): CsvSource["read"] {
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  parser.on("readable", signal);
  parser.on("end", () => {
    ended = true;
    signal();
  });
  parser.on("error", (error: Error) => {
    failure = error;
    signal();
  });
  return async (into, max) => {
    into.length = 0;
    while (into.length < max) {
      if (failure) throw failure;
      const record = parser.read() as string[] | null;
      if (record !== null) into.push(record);
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  };
}

/** The first SNIFF_BYTES (or more, a whole chunk) of an input, and the rest of it. */
export interface Head {
  head: Buffer;
  /** `head` is the whole input. */
  complete: boolean;
  rest: AsyncIterator<Buffer | string>;
}

/** `enough`: stop before SNIFF_BYTES once the bytes read so far hold what the caller needs (header.ts's `readHeader`). */
export async function readHead(input: Readable, enough: (head: Buffer) => boolean = () => false): Promise<Head> {
  const rest = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const parts: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const next = await rest.next();
    if (next.done) return { head: Buffer.concat(parts), complete: true, rest };
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    parts.push(chunk);
    size += chunk.length;
    if (size < SNIFF_BYTES && enough(parts.length === 1 ? chunk : Buffer.concat(parts))) break;
  }
  return { head: Buffer.concat(parts), complete: false, rest };
}

/** The whole input again, head first, as Buffers. */
export async function* replay({ head, complete, rest }: Head): AsyncGenerator<Buffer> {
  yield head;
  if (complete) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield typeof next.value === "string" ? Buffer.from(next.value) : next.value;
  }
}

function skippedRow(error: CsvError, row: number, positions: Positions): UnreadableRecord | RetainwiseError {
  const rowName = (n: number) => (n < 1 ? "the header row" : `row ${positions.row(n)}`);
  const line = positions.line((error as { lines?: number }).lines ?? 0);
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    // Everything after an unclosed quote is swallowed into one field: scoring the rest would silently drop customers.
    // Row numbers count data rows, as in the `error` column; `line` is where the parser gave up (the end of the file).
    return new RetainwiseError(
      "csv.unclosed_quote",
      `A quoted field in ${rowName(row)} is never closed, so the rest of the file (to line ${line}) cannot be read. Check ${rowName(row)} for a stray " character.`,
    );
  }
  if (error.code === "CSV_INVALID_CLOSING_QUOTE") {
    // csv-parse stays inside the quotes after this error, merging the following rows into one field: not skippable.
    return new RetainwiseError(
      "csv.invalid_quote",
      `A quoted field in ${rowName(row)} (line ${line}) has text after its closing quote, so the rows after it cannot be read reliably. ` +
        `Check ${rowName(row)}: a quote inside a quoted field must be doubled ("").`,
    );
  }
  return Object.assign([], { unreadable: `line ${line} could not be read: ${describeParseError(error)}` });
}

function describeParseError(error: CsvError): string {
  switch (error.code) {
    case "INVALID_OPENING_QUOTE":
      return 'a quote (") appears inside a field that was not quoted correctly';
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return "text follows a closing quote";
    default:
      return ellipsize(error.message, 200);
  }
}
