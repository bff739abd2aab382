import { parse } from "csv-parse/sync";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { scoreCsv, type ScoreProgress } from "./score-csv.ts";
import { PARALLEL_MIN_BYTES } from "./parallel.ts";
import { OUTPUT_COLUMNS } from "./output.ts";
import { rangeShares } from "./ranges.ts";
import {
  collector,
  PROGRAM_ENTRY,
  scoreFailure,
  scoreText,
  type Scored,
  type ScoreTextOptions,
} from "../../../../tests/support/score-text.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv } from "../../../../tests/support/telco.ts";

const ROWS = 72_000;

let model: ChurnModel;
let text: string;
beforeAll(async () => {
  model = await loadModel(DEFAULT_MODEL_PATH);
  const telco = readTelco();
  const headers = [...telco.headers, "notes"];
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const row = [
      ...telco.rows[i % telco.rows.length]!,
      i % 7 === 0 ? `called "twice",\nthen wrote\r\nback ${i}` : `note ${i}`,
    ];
    row[0] = `C${i}`;
    if (i === 30_000) row[5] = "twelve";
    return i === 65_000 ? row.slice(0, 5) : row;
  });
  text = toCsv(headers, rows);
  expect(Buffer.byteLength(text)).toBeGreaterThan(PARALLEL_MIN_BYTES);
});
afterAll(() => model.release());

const byThreads = (threads: number, options: ScoreTextOptions = {}) =>
  scoreText(model, text, { threads, workerEntry: PROGRAM_ENTRY, includeInput: true, ...options });

/** A file on disk is scored in ranges each thread reads (ranges.ts); a stream too, once it is copied to a temporary file (spool.ts). */
const WAYS = [
  { way: "a stream, copied to a temporary file", fromFile: false },
  { way: "ranges of a file on disk", fromFile: true },
];

/** Runs `run` with os.tmpdir() (it reads TMPDIR) in a directory of its own, so that other runs' files do not count; returns what it left there. */
async function inOwnTmpdir(parent: string, run: (temp: string) => Promise<void>): Promise<string[]> {
  const temp = mkdtempSync(join(parent, "tmp-"));
  const restore = process.env.TMPDIR;
  process.env.TMPDIR = temp;
  try {
    await run(temp);
  } finally {
    if (restore === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = restore;
  }
  // Whatever else is there is tsx's compile cache, made by the worker threads' loader, not by scoring.
  return readdirSync(temp).filter((name) => !name.startsWith("tsx-"));
}

describe.each(WAYS)("scoring a large file on two threads, in $way", ({ fromFile }) => {
  let one: Scored;
  let two: Scored;
  beforeAll(async () => {
    [one, two] = [await byThreads(1), await byThreads(2, { fromFile })];
  }, 120_000);

  it("writes the same rows in the same order, errors with their file-wide row and line numbers", () => {
    const a = parse(one.output, { relax_column_count: true }) as string[][];
    const b = parse(two.output, { relax_column_count: true }) as string[][];
    expect(b).toHaveLength(ROWS + 1);
    expect(b.map((r) => r[0])).toEqual(a.map((r) => r[0]));
    // Everything but the probability is identical; onnxruntime rounds a few float32 sums differently by batch shape.
    expect(b.map((r) => [...r.slice(2), r[1] === "" ? "" : "p"])).toEqual(
      a.map((r) => [...r.slice(2), r[1] === "" ? "" : "p"]),
    );
    for (let i = 1; i < a.length; i++)
      if (a[i]![1] !== "") expect(Math.abs(Number(a[i]![1]) - Number(b[i]![1]))).toBeLessThanOrEqual(1e-4);
    expect(b[30_001]![OUTPUT_COLUMNS.indexOf("error")]).toBe('row 30001: tenure "twelve" is not a number');
    expect(b[65_001]![OUTPUT_COLUMNS.indexOf("error")]).toBe("row 65001: the row has 5 fields but the header has 22");
  });

  it("writes the same error report, row numbers file-wide", () => {
    expect(two.errors).toBe(one.errors);
    expect(two.errors).toBe(
      'row,customer_id,error\n30001,C30000,"tenure ""twelve"" is not a number"\n65001,C65000,the row has 5 fields but the header has 22\n',
    );
  });

  it("adds up to the same summary", () => {
    const { meanProbability, ...rest } = two.summary;
    const { meanProbability: expectedMean, ...expected } = one.summary;
    expect(rest.rowErrors).toEqual([
      { row: 30_001, customerId: "C30000", reason: 'tenure "twelve" is not a number' },
      { row: 65_001, customerId: "C65000", reason: "the row has 5 fields but the header has 22" },
    ]);
    // The fixture repeats every 5,626 rows, so the top 20 are ties broken by float32 noise: compare their probabilities.
    expect({ ...rest, topRisks: [] }).toEqual({ ...expected, topRisks: [] });
    rest.topRisks.forEach((risk, i) => {
      expect(risk.probability).toBeCloseTo(expected.topRisks[i]!.probability, 5);
    });
    expect(meanProbability).toBeCloseTo(expectedMean!, 6);
  });
});

describe.each(WAYS)("the scores file for outcomes (the worker's scores), on two threads, in $way", ({ fromFile }) => {
  /** A scores file's rows, each `[id, probability, challenger]`. */
  const rowsOf = (scores: string) =>
    scores
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as [string, number, number | null]);

  it("lists every scored row in file order with the CSV's id and probability, failed rows left out, as one thread does", async () => {
    const [one, two] = [await byThreads(1, { withScores: true }), await byThreads(2, { withScores: true, fromFile })];
    expect(two.scores === one.scores).toBe(true);
    expect(two.errors).toBe(one.errors);
    expect(two.output === one.output).toBe(true);
    const [a, b] = [rowsOf(one.scores), rowsOf(two.scores)];
    expect(b).toHaveLength(ROWS - 2);
    expect(b.map((r) => r[0])).toEqual(a.map((r) => r[0]));
    expect(b.every((r) => r[2] === null)).toBe(true);
    const scored = (parse(two.output, { relax_column_count: true, from_line: 2 }) as string[][]).filter(
      (r) => r[1] !== "",
    );
    expect(b.map((r) => [r[0], r[1].toFixed(4)])).toEqual(scored.map((r) => [r[0], r[1]]));
  }, 120_000);

  it("a file without ids: row numbers resolved file-wide, as JSON strings", async () => {
    const [headers, ...rows] = parse(text, { relax_column_count: true }) as string[][];
    const noIds = toCsv(
      headers!.slice(1),
      rows.map((r) => r.slice(1)),
    );
    const { scores } = await scoreText(model, noIds, {
      threads: 2,
      workerEntry: PROGRAM_ENTRY,
      withScores: true,
      fromFile,
    });
    const ids = rowsOf(scores).map((r) => r[0]);
    expect(ids.slice(0, 3)).toEqual(["1", "2", "3"]);
    expect(ids).not.toContain("30001");
    expect(ids.at(-1)).toBe(String(ROWS));
  }, 120_000);
});

describe.each(WAYS)("a large file without a customer id column on two threads, in $way", ({ fromFile }) => {
  it("numbers its rows file-wide, in the output and in the top risks", async () => {
    const [headers, ...rows] = parse(text, { relax_column_count: true }) as string[][];
    const noIds = toCsv(
      headers!.slice(1),
      rows.map((r) => r.slice(1)),
    );
    const { summary, output } = await scoreText(model, noIds, { threads: 2, workerEntry: PROGRAM_ENTRY, fromFile });
    const scored = parse(output, { relax_column_count: true, from_line: 2 }) as string[][];
    expect(summary.customerIds).toBe("row_number");
    expect(scored.map((r) => r[0])).toEqual(rows.map((_, i) => String(i + 1)));
    for (const risk of summary.topRisks) expect(risk.customerId).toMatch(/^\d+$/);
  }, 120_000);
});

describe.each(WAYS)("a file-level problem deep in the file, in $way", ({ fromFile }) => {
  it("fails with the message one thread gives, positions included", async () => {
    const lines = text.split("\n");
    const at = lines.findIndex((line, i) => i > 60_000 && line.startsWith("C6"));
    lines[at] = lines[at]!.replace(/,Female,|,Male,/, ',"Female,');
    const broken = lines.join("\n");
    const [sequential, parallel] = [
      await scoreFailure(model, broken, { threads: 1 }),
      await scoreFailure(model, broken, { threads: 2, workerEntry: PROGRAM_ENTRY, fromFile }),
    ];
    expect(sequential.message).toMatch(/^A quoted field in row \d+ /);
    expect(parallel.message).toBe(sequential.message);
    expect(parallel.code).toBe(sequential.code);
  }, 120_000);

  it("scores a file whose quote never closes within 16 MiB on this thread, failing as one thread does", async () => {
    const telco = readTelco();
    const rows = Array.from({ length: 130_000 }, (_, i) => telco.rows[i % telco.rows.length]!);
    const lines = toCsv(telco.headers, rows).split("\n");
    lines[10] = lines[10]!.replace(/,Female,|,Male,/, ',"Female,');
    const broken = lines.join("\n");
    expect(Buffer.byteLength(broken)).toBeGreaterThan(16 * 1024 * 1024);
    const [sequential, parallel] = [
      await scoreFailure(model, broken, { threads: 1 }),
      await scoreFailure(model, broken, { threads: 2, workerEntry: PROGRAM_ENTRY, fromFile }),
    ];
    expect(sequential.code).toBe("csv.unclosed_quote");
    expect(sequential.message).toMatch(/^A quoted field in row 10 is never closed/);
    // The same message to the letter: the last line read is the file's, not that of a 16 MiB cut.
    expect(parallel.code).toBe(sequential.code);
    expect(parallel.message).toBe(sequential.message);
  }, 120_000);

  it("stops busy threads without taking the process down, however often a range fails mid-file", async () => {
    // worker.terminate() on a thread inside session.run aborts the process (onnxruntime-node); the pool waits instead.
    const lines = text.split("\n");
    const at = lines.findIndex((line) => line.startsWith("C20001,"));
    lines[at] = lines[at]!.replace(/,Female,|,Male,/, ',"Fem"ale,');
    const broken = lines.join("\n");
    for (let i = 0; i < 8; i++) {
      const failure = await scoreFailure(model, broken, { threads: 2, workerEntry: PROGRAM_ENTRY, fromFile });
      expect(failure.message).toMatch(/^A quoted field in row 20002 \(line \d+\) has text after its closing quote/);
    }
  }, 300_000); // 8 runs that each start two threads: ~12 s a run with the machine shared by a dozen test processes
});

describe("the scorers", () => {
  const COUNTING_ENTRY = fileURLToPath(
    new URL("../../../../tests/support/counting-scoring-thread.mjs", import.meta.url),
  );
  const DATA_BYTES = () => Buffer.byteLength(text) - text.indexOf("\n") - 1;
  let dir: string;
  let one: Scored;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "retainwise-scorers-"));
    one = await byThreads(1, { withScores: true });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Scores `text` on two threads with a scores file (as the worker does), the worker thread starting after `delayMs`; returns the result and the bytes that thread was sent. */
  async function withCountingThread(
    delayMs: number,
    { exitAt = 0, fromFile = false } = {},
  ): Promise<{ scored: Scored; threadBytes: number }> {
    const log = join(dir, `tasks-${delayMs}-${exitAt}-${fromFile}.log`);
    writeFileSync(log, "");
    Object.assign(process.env, {
      RETAINWISE_TEST_RANGE_LOG: log,
      RETAINWISE_TEST_THREAD_DELAY_MS: String(delayMs),
      RETAINWISE_TEST_THREAD_EXIT_AT: String(exitAt),
    });
    const scored = await scoreText(model, text, {
      threads: 2,
      workerEntry: COUNTING_ENTRY,
      includeInput: true,
      withScores: true,
      fromFile,
    });
    const threadBytes = readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .reduce((a, n) => a + Number(n), 0);
    return { scored, threadBytes };
  }

  describe.each(WAYS)("in $way", ({ fromFile }) => {
    it("share the file between this thread and the worker thread, writing what one thread writes", async () => {
      const { scored, threadBytes } = await withCountingThread(0, { fromFile });
      expect(scored.output === one.output).toBe(true);
      expect(scored.scores === one.scores).toBe(true);
      expect(threadBytes).toBeGreaterThan(0);
      // The header is never sent, so what the thread did not get was scored here.
      expect(threadBytes).toBeLessThan(DATA_BYTES());
    }, 120_000);

    it("do not wait for a worker thread to start: a thread that starts late gets nothing, and the file is scored all the same", async () => {
      const { scored, threadBytes } = await withCountingThread(15_000, { fromFile });
      expect(scored.output === one.output).toBe(true);
      expect(scored.scores === one.scores).toBe(true);
      expect(threadBytes).toBe(0);
    }, 120_000);

    it("report progress that never passes the file's rows or bytes, and ends at them", async () => {
      const seen: ScoreProgress[] = [];
      await scoreText(model, text, {
        threads: 2,
        workerEntry: PROGRAM_ENTRY,
        fromFile,
        totalBytes: Buffer.byteLength(text),
        onProgress: (p) => seen.push(p),
      });
      expect(seen.length).toBeGreaterThan(10);
      for (const p of seen) {
        expect(p.rowsProcessed).toBeLessThanOrEqual(ROWS);
        expect(p.bytesRead).toBeLessThanOrEqual(Buffer.byteLength(text));
      }
      expect(seen.at(-1)).toMatchObject({ rowsProcessed: ROWS, bytesRead: Buffer.byteLength(text) });
    }, 120_000);

    it("stop when the job is stopped, leaving no temporary files behind", async () => {
      let underway: string[] = [];
      const left = await inOwnTmpdir(dir, async (temp) => {
        const stop = new AbortController();
        const failure = await scoreFailure(model, text, {
          threads: 2,
          workerEntry: PROGRAM_ENTRY,
          fromFile,
          signal: stop.signal,
          onProgress: ({ rowsProcessed }) => {
            if (rowsProcessed <= 5_000 || stop.signal.aborted) return;
            underway = readdirSync(temp);
            stop.abort();
          },
        });
        expect(failure.code).toBe("job.aborted");
      });
      // Ranges were being scored into temporary files there when the job stopped, a stream's from its copy there.
      expect(underway.filter((name) => name.startsWith("retainwise-ranges-"))).toHaveLength(1);
      expect(underway.filter((name) => name.startsWith("retainwise-spool-"))).toHaveLength(fromFile ? 0 : 1);
      expect(left).toEqual([]);
    }, 120_000);

    it("fail the file with a retryable error when a worker thread dies holding work, and the process lives on", async () => {
      // Ranges claimed after the dead thread's reject before they are awaited: none may go unhandled (that would end the process).
      const failure = await withCountingThread(0, { exitAt: 1, fromFile }).then(
        () => undefined,
        (error: Error & { code?: string; permanent?: boolean }) => error,
      );
      expect(failure?.code).toBe("scoring.thread_failed");
      expect(failure?.message).toMatch(/A scoring thread stopped unexpectedly \(exit code 9\)/);
      expect(failure?.permanent).toBe(false);
    }, 120_000);
  });
});

describe("a stream on two threads", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "retainwise-spool-test-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `text` in 16 KiB chunks, calling `pulled` with the bytes handed out so far before each. */
  function pacedInput(pulled: (produced: number) => void): Readable {
    const bytes = Buffer.from(text);
    async function* chunks() {
      for (let at = 0; at < bytes.length; at += 16 * 1024) {
        pulled(at);
        yield bytes.subarray(at, at + 16 * 1024);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  /** The stream's copy under `temp`, when there is one. */
  const spoolIn = (temp: string) =>
    readdirSync(temp)
      .filter((name) => name.startsWith("retainwise-spool-"))
      .map((name) => join(temp, name, "input.csv"))
      .find((path) => existsSync(path));

  it("is copied to disk no faster than the disk takes it, then scored from there, the copy removed", async () => {
    let worstLead = 0;
    const output = collector();
    const scores = collector();
    const left = await inOwnTmpdir(dir, async (temp) => {
      const input = pacedInput((produced) => {
        const spool = spoolIn(temp);
        // Bytes handed out and not yet on disk are in memory: they stay a few chunks, not the file.
        if (spool) worstLead = Math.max(worstLead, produced - statSync(spool).size);
      });
      await scoreCsv({
        input,
        output: output.stream,
        scores: scores.stream,
        model,
        threads: 2,
        workerEntry: PROGRAM_ENTRY,
        totalBytes: Buffer.byteLength(text),
      });
    });
    const one = await byThreads(1, { includeInput: false, withScores: true });
    expect(output.text() === one.output).toBe(true);
    expect(scores.text() === one.scores).toBe(true);
    expect(worstLead).toBeGreaterThan(0);
    expect(worstLead).toBeLessThan(2 * 1024 * 1024);
    expect(left).toEqual([]);
  }, 120_000);

  it("stops while it is being copied, leaving nothing behind", async () => {
    const stop = new AbortController();
    let copying = false;
    const left = await inOwnTmpdir(dir, async (temp) => {
      const input = pacedInput((produced) => {
        if (produced < Buffer.byteLength(text) / 2 || stop.signal.aborted) return;
        copying = spoolIn(temp) !== undefined;
        stop.abort();
      });
      const failure = await scoreCsv({
        input,
        output: collector().stream,
        model,
        threads: 2,
        workerEntry: PROGRAM_ENTRY,
        signal: stop.signal,
      }).then(
        () => undefined,
        (error: Error & { code?: string }) => error,
      );
      expect(failure?.code).toBe("job.aborted");
    });
    expect(copying).toBe(true);
    expect(left).toEqual([]);
  }, 120_000);
});

describe("the ranges' shares of a file", () => {
  it.each([1, 2, 3, 4])(
    "on %i threads add up to the file, each what is left over the threads, down to 1%%",
    (threads) => {
      const shares = rangeShares(threads);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(shares[0]).toBeCloseTo(1 / threads, 9);
      for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeLessThanOrEqual(shares[i - 1]!);
      expect(Math.min(...shares.slice(0, -1))).toBeGreaterThanOrEqual(0.01);
      expect(shares.length).toBeLessThan(threads * 10);
    },
  );
});
