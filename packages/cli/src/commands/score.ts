import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import type { Writable } from "node:stream";
import {
  actionableInputs,
  BUILTIN_MODEL_LABEL,
  customerIdColumn,
  defaultThreads,
  headerRow,
  isRetainwiseError,
  listWithMore,
  loadModel,
  readHeader,
  resolveColumns,
  scoreCsv,
  threadsForMachine,
  type ChurnModel,
} from "@retainwise/core";
import { defaultModelPath, scoringThreadEntry } from "../paths.ts";
import { fileProblem, parseCommandLine } from "../command-line.ts";
import { createProgressBar } from "../progress-bar.ts";

export const help = `Usage: retainwise score <input.csv> -o <output.csv|-> [options]

Scores every customer in a CSV with the churn model and writes churn_probability, risk_level,
risk_factors, protective_factors and retention_action per customer.

Options:
  -o, --output PATH        Where to write the scored CSV ('-' for stdout)  (required)
      --model PATH         An ONNX classifier (default: the shipped models/churn-v1.onnx)
      --id-column NAME     The column to take customer_id from (default: the model's identifier
                           column when the file has it, else customerID/customer_id/id; else
                           the row number). A file without NAME fails, naming the closest columns
      --actionable COL     A model input the account can change (repeatable): retention_action
                           then names the one change to one of them that lowers the risk most
      --include-input      Append all input columns to each output row
      --max-bad-rows SHARE Fail when more than this share of rows cannot be scored (default 0.1)
      --threads N          Score files over 8 MiB on N threads (this one and N-1 more, ~35 MB of
                           memory each), at most one per core (default: the machine's cores, at most 4)
  -h, --help               Show this help

Example:
  retainwise score customers.csv -o scored.csv`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, {
    output: { type: "string", short: "o" },
    model: { type: "string" },
    "id-column": { type: "string" },
    actionable: { type: "string", multiple: true },
    "include-input": { type: "boolean", default: false },
    "max-bad-rows": { type: "string" },
    threads: { type: "string" },
  });
  if (typeof parsed === "string") {
    process.stderr.write(`retainwise score: ${parsed}\n\n${help}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [inputPath] = positionals;
  if (!inputPath || !values.output) {
    process.stderr.write(`retainwise score: an input file and -o <output> are required.\n\n${help}\n`);
    return 2;
  }
  const maxBadRowShare = values["max-bad-rows"] === undefined ? undefined : Number(values["max-bad-rows"]);
  if (maxBadRowShare !== undefined && !(maxBadRowShare >= 0 && maxBadRowShare <= 1)) {
    process.stderr.write(
      `retainwise score: --max-bad-rows must be a share between 0 and 1, got "${values["max-bad-rows"]}".\n`,
    );
    return 2;
  }
  const threads = values.threads === undefined ? defaultThreads() : Number(values.threads);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    process.stderr.write(`retainwise score: --threads must be a whole number from 1 to 64, got "${values.threads}".\n`);
    return 2;
  }
  const idColumn = values["id-column"];
  if (idColumn !== undefined && idColumn.trim() === "") {
    process.stderr.write(`retainwise score: --id-column must name a column of the file.\n`);
    return 2;
  }
  try {
    return await score(inputPath, values.output, {
      modelPath: values.model ?? defaultModelPath(),
      modelVersion: values.model === undefined ? BUILTIN_MODEL_LABEL : undefined,
      idColumn,
      actionable: values.actionable ?? [],
      includeInput: values["include-input"],
      maxBadRowShare,
      threads,
    });
  } catch (error) {
    const message = isRetainwiseError(error) ? error.message : fileProblem(error);
    if (message === undefined) throw error;
    process.stderr.write(`retainwise score: ${message}\n`);
    return 1;
  }
}

interface ScoreOptions {
  modelPath: string;
  /** The shipped model is `telco-v1`, as the service names it; another model goes by its card. */
  modelVersion: string | undefined;
  idColumn: string | undefined;
  actionable: string[];
  includeInput: boolean;
  maxBadRowShare: number | undefined;
  threads: number;
}

async function score(inputPath: string, outputPath: string, options: ScoreOptions): Promise<number> {
  const totalBytes = (await stat(inputPath)).size;
  const model = await loadModel(
    options.modelPath,
    options.modelVersion === undefined ? {} : { version: options.modelVersion },
  );
  // An unknown column fails here, naming the model's inputs, before any output is written.
  actionableInputs(model.card, options.actionable);
  const output = await openOutput(outputPath);
  const bar = createProgressBar();
  const started = Date.now();
  const summary = await scoreCsv({
    input: createReadStream(inputPath, { highWaterMark: 256 * 1024 }),
    inputPath,
    output: output.stream,
    model,
    totalBytes,
    ...(options.idColumn !== undefined ? { idColumn: options.idColumn } : {}),
    ...(options.actionable.length > 0 ? { actionable: options.actionable } : {}),
    includeInput: options.includeInput,
    maxBadRowShare: options.maxBadRowShare,
    threads: threadsForMachine(options.threads),
    workerEntry: scoringThreadEntry(),
    onProgress: (p) => bar.update(p.bytesRead, p.totalBytes, `${p.rowsProcessed.toLocaleString("en-US")} rows`),
  }).catch(async (error: unknown) => {
    await output.abandon();
    throw error;
  });
  await output.commit();
  const unread = await unreadColumns(inputPath, model, options.idColumn);
  const seconds = (Date.now() - started) / 1000;
  bar.update(totalBytes, totalBytes, `${(summary.rowsScored + summary.rowsFailed).toLocaleString("en-US")} rows`, {
    final: true,
  });
  bar.finish(
    `Scored ${summary.rowsScored.toLocaleString("en-US")} rows (${summary.rowsFailed} failed) in ${seconds.toFixed(1)} s: ` +
      `High ${summary.riskCounts.High}, Medium ${summary.riskCounts.Medium}, Low ${summary.riskCounts.Low}.` +
      (summary.customerIds === "row_number"
        ? " The file has no customer id column: customer_id is the row number."
        : "") +
      (unread.length > 0
        ? ` ${unread.length === 1 ? "1 column" : `${unread.length} columns`} not read by the model: ${listWithMore(unread)}.`
        : ""),
  );
  await model.release();
  return 0;
}

/** The file's columns the model does not read nor take ids from: said once, so a misnamed column is noticed. */
async function unreadColumns(inputPath: string, model: ChurnModel, idColumn: string | undefined): Promise<string[]> {
  const input = createReadStream(inputPath);
  try {
    const headers = headerRow(await readHeader(input));
    const used = new Set([
      ...resolveColumns(
        headers,
        model.inputs.map((i) => i.name),
      ).values(),
      customerIdColumn(headers, model.card, idColumn),
    ]);
    return headers.filter((header, i) => !used.has(i) && header !== "");
  } finally {
    input.destroy();
  }
}

/**
 * The scored file is written beside the target and renamed into place on success, so a run that
 * fails (bad input, Ctrl-C) neither leaves a half-written file nor replaces an earlier good one.
 */
async function openOutput(
  outputPath: string,
): Promise<{ stream: Writable; commit(): Promise<void>; abandon(): Promise<void> }> {
  if (outputPath === "-") {
    // `score … -o - | head`: the reader has all it wants. Stopping is the expected end, not an error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
    return { stream: process.stdout, commit: async () => {}, abandon: async () => {} };
  }
  const partial = `${outputPath}.partial`;
  const stream = createWriteStream(partial);
  // A missing directory or a read-only place fails here, before any work, as one line.
  await once(stream, "open").catch((error: NodeJS.ErrnoException) => {
    throw Object.assign(error, { path: outputPath });
  });
  return {
    stream,
    commit: () => rename(partial, outputPath),
    async abandon() {
      // A write still in flight fails once the stream is destroyed; the run has already failed for the reason we report.
      stream.on("error", () => {});
      stream.destroy();
      await rm(partial, { force: true });
    },
  };
}
