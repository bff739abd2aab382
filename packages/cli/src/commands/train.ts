import { fileProblem, parseCommandLine } from "../command-line.ts";
import { programEntry } from "../paths.ts";
import { createProgressBar } from "../progress-bar.ts";
import {
  createLogger,
  defaultThreads,
  DEFAULT_MAX_TRAINING_ROWS,
  DEFAULT_SEED,
  isRetainwiseError,
  threadsForMachine,
  trainFromCsvFile,
  writeModelFiles,
  type ColumnDecision,
} from "@retainwise/core";

export const summary = "Train a churn model from a labeled CSV and export it to ONNX";

export const help = `Usage: retainwise train <labeled.csv> --label Churn -o models/churn-vN.onnx [options]

Decides a role for every column (identifier, free text, constant, date, leakage suspect, or an
input: numeric, categorical, boolean) and prints them with the reason; fits boosted trees (per-column
and per-pair lookup tables, then trees over any columns, every step credited to the column it
splits, so every reason is exact); prints held-out metrics;
writes the ONNX model plus its card (<model>.card.json) beside it. Progress goes to stderr: a
progress bar on a terminal, JSON lines otherwise (and with --json). The file is read like a scored
file: any delimiter, BOM, CRLF, decimal commas, currency.

Options:
  --label NAME        label column (required), e.g. Churn (case, spaces and punctuation ignored)
  --positive VALUE    label value that means churn (default: the one of two values that reads so:
                      Yes, 1, true, Churned, Attrited Customer, Cancelled, Exited…, or the other
                      of one that reads as retained: No, 0, Existing Customer, Active…); with more
                      than two values, every other value counts as retained
  -o, --output PATH   model file to write, e.g. models/churn-v2.onnx (required)
  --input NAME        use this column as an input (repeat for several): exactly these are used
  --exclude NAME      never use this column (repeat for several)
  --max-rows N        refuse files with more data rows than this (default ${DEFAULT_MAX_TRAINING_ROWS.toLocaleString("en-US")})
  --version vN        model version recorded in the model and card (default: from the file name, else v1)
  --name NAME         model name (default: churn)
  --seed N            seed for the split and bagging (default: ${DEFAULT_SEED}); same seed, same bytes
  --created ISO       creation time written to the card (default: now), to reproduce a card exactly
  --threads N         threads the model's bags are fitted on, never more than the machine's cores
                      (default: its cores, at most 4: here ${defaultThreads()}); the model is the same, byte for byte, on any number
  --json              progress as JSON lines on stderr even on a terminal
`;

/** `retainwise train`: resolves the exit code (0 ok, 1 training failed, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const args = trainArgs(argv);
  if (typeof args === "string") {
    process.stderr.write(`retainwise train: ${args}\n\n${help}`);
    return 2;
  }
  const started = performance.now();
  const progress = trainingProgress(args.json);
  try {
    const artifacts = await trainFromCsvFile(args.input, {
      label: args.label,
      ...(args.positive !== undefined ? { positive: args.positive } : {}),
      ...(args.inputs.length > 0 ? { inputs: args.inputs } : {}),
      ...(args.exclude.length > 0 ? { exclude: args.exclude } : {}),
      ...(args.created !== undefined ? { created: args.created } : {}),
      maxRows: args.maxRows,
      seed: args.seed,
      threads: threadsForMachine(args.threads),
      workerEntry: programEntry(),
      name: args.name,
      version: args.version,
      onProgress: progress.step,
    });
    const cardPath = await writeModelFiles(args.output, artifacts);
    const { auc, brier, accuracy } = artifacts.card.metrics!.heldOut;
    progress.done({ model: args.output, card: cardPath, seconds: +((performance.now() - started) / 1000).toFixed(2) });
    const skipped = artifacts.input.rowErrors;
    process.stdout.write(
      rolesTable(artifacts.card.columns) +
        (skipped.length > 0
          ? `\n${skipped.length} row(s) skipped, first: row ${skipped[0]!.row}: ${skipped[0]!.reason}\n`
          : "") +
        `\n${args.output}\n${cardPath}\nheld-out AUC ${auc.toFixed(4)}  Brier ${brier.toFixed(4)}  accuracy ${accuracy.toFixed(4)}\n`,
    );
    return 0;
  } catch (error) {
    const message = isRetainwiseError(error) ? `${error.message} (${error.code})` : fileProblem(error);
    if (message === undefined) throw error;
    progress.failed();
    process.stderr.write(`retainwise train: ${message}\n`);
    return 1;
  }
}

/**
 * Where training progress goes: on a terminal a bar (the fit's phase and percent), else (or with
 * `--json`) a JSON line per step, which logs and the worker's watchdog tests read.
 */
function trainingProgress(json: boolean): {
  step(step: string, fields?: Record<string, unknown>): void;
  done(fields: Record<string, unknown>): void;
  failed(): void;
} {
  if (json || !process.stderr.isTTY) {
    const log = createLogger({ component: "train" });
    return {
      step: (step, fields) => log.info(step, fields),
      done: (fields) => log.info("model written", fields),
      failed: () => {},
    };
  }
  const bar = createProgressBar();
  let rows = "";
  return {
    step(step, fields = {}) {
      if (step === "read training file")
        rows = `${Number(fields.rows).toLocaleString("en-US")} rows, ${String(fields.inputs)} inputs`;
      if (step === "fit") bar.update(Number(fields.percent), 100, `${rows} · ${String(fields.phase)}`);
    },
    done: (fields) => {
      bar.update(100, 100, `${rows} · done`, { final: true });
      bar.finish(`Trained in ${String(fields.seconds)} s.`);
    },
    failed: () => bar.finish("Training stopped."),
  };
}

/** `column  role  reason`, one line per column of the file, aligned. */
export function rolesTable(columns: readonly ColumnDecision[]): string {
  const nameWidth = Math.max(6, ...columns.map((c) => c.name.length));
  const roleWidth = Math.max(4, ...columns.map((c) => c.role.length));
  const line = (name: string, role: string, reason: string) =>
    `${name.padEnd(nameWidth)}  ${role.padEnd(roleWidth)}  ${reason}`;
  return [line("column", "role", "reason"), ...columns.map((c) => line(c.name, c.role, c.reason))].join("\n") + "\n";
}

interface TrainArgs {
  input: string;
  label: string;
  output: string;
  positive?: string;
  inputs: string[];
  exclude: string[];
  maxRows: number;
  version: string;
  name: string;
  seed: number;
  threads: number;
  created?: string;
  json: boolean;
}

function trainArgs(argv: string[]): TrainArgs | string {
  const parsed = parseCommandLine(argv, {
    label: { type: "string" },
    positive: { type: "string" },
    output: { type: "string", short: "o" },
    input: { type: "string", multiple: true, default: [] },
    exclude: { type: "string", multiple: true, default: [] },
    "max-rows": { type: "string", default: String(DEFAULT_MAX_TRAINING_ROWS) },
    version: { type: "string" },
    name: { type: "string", default: "churn" },
    seed: { type: "string", default: String(DEFAULT_SEED) },
    created: { type: "string" },
    threads: { type: "string", default: String(defaultThreads()) },
    json: { type: "boolean", default: false },
  });
  if (typeof parsed === "string") return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return "give exactly one labeled CSV file.";
  if (!values.label) return "--label is required (the column that says whether the customer churned).";
  if (!values.output) return "-o/--output is required (where to write the .onnx model).";
  if (!/\.onnx$/i.test(values.output)) return "the output file must end in .onnx (the card is written beside it).";
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) return "--seed must be a non-negative integer.";
  const threads = Number(values.threads);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64))
    return "--threads must be a whole number from 1 to 64.";
  const maxRows = Number(values["max-rows"]);
  if (!Number.isInteger(maxRows) || maxRows < 1) return "--max-rows must be a positive integer.";
  if (values.created !== undefined && Number.isNaN(Date.parse(values.created)))
    return "--created must be an ISO date-time, e.g. 2026-01-01T00:00:00.000Z.";
  const version = values.version ?? /-(v\d+)\.onnx$/i.exec(values.output)?.[1] ?? "v1";
  return {
    input: positionals[0]!,
    label: values.label,
    output: values.output,
    positive: values.positive,
    inputs: values.input!,
    exclude: values.exclude!,
    maxRows,
    version,
    name: values.name!,
    seed,
    threads,
    created: values.created,
    json: values.json!,
  };
}
