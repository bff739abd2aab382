/**
 * Runs the real `scoreCsv` on in-memory input and collects the output, for tests that feed many
 * small files. Input is cut into chunks so the sniffer's head read and its replay are exercised
 * the way a file stream exercises them.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { scoreCsv, type ChurnModel, type ScoreCsvOptions, type ScoreSummary } from "@retainwise/core";

const CHUNK_BYTES = 16 * 1024;

/** Scoring threads start from the program's entry, as `retainwise score --threads` starts them. */
export const PROGRAM_ENTRY = fileURLToPath(new URL("../../packages/cli/bin/retainwise.mjs", import.meta.url));

export interface Scored {
  summary: ScoreSummary;
  output: string;
  /** The error report (scoreCsv's `errors`). */
  errors: string;
  /** The scores file (scoreCsv's `scores`), with `withScores`; else "". */
  scores: string;
}

export interface ScoreTextOptions extends Omit<ScoreCsvOptions, "input" | "output" | "model"> {
  /** Score the input from a file on disk (`inputPath`), as `retainwise score` does, instead of from a stream. */
  fromFile?: boolean;
  /** Also collect the scores file, as the worker does. */
  withScores?: boolean;
}

export async function scoreText(
  model: ChurnModel,
  input: string | Uint8Array,
  { fromFile = false, withScores = false, ...options }: ScoreTextOptions = {},
): Promise<Scored> {
  const output = collector();
  const errors = collector();
  const scores = withScores ? collector() : undefined;
  const dir = fromFile ? mkdtempSync(join(tmpdir(), "rw-score-text-")) : undefined;
  try {
    const source = dir ? onDisk(join(dir, "input.csv"), input) : { input: chunked(input) };
    const summary = await scoreCsv({
      ...options,
      ...source,
      output: output.stream,
      errors: errors.stream,
      ...(scores ? { scores: scores.stream } : {}),
      model,
    });
    return { summary, output: output.text(), errors: errors.text(), scores: scores?.text() ?? "" };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function onDisk(path: string, input: string | Uint8Array): Pick<ScoreCsvOptions, "input" | "inputPath" | "totalBytes"> {
  writeFileSync(path, input);
  return { input: createReadStream(path), inputPath: path, totalBytes: Buffer.byteLength(input) };
}

/** A Writable that keeps what it is given. */
export function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** The error `scoreText` rejects with (fails the test if it resolves). */
export async function scoreFailure(
  model: ChurnModel,
  input: string | Uint8Array,
  options: ScoreTextOptions = {},
): Promise<Error & { code?: string }> {
  try {
    await scoreText(model, input, options);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected scoring to fail, but it succeeded");
}

export function chunked(input: string | Uint8Array, size = CHUNK_BYTES): Readable {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return Readable.from(parts, { objectMode: false });
}
