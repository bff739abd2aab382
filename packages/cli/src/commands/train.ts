import { writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { createLogger, isRetainwiseError, splitCsv, trainFromCsvFile, writeModelFiles } from "@retainwise/core";

export const summary = "Train a churn model from a labeled CSV and export it to ONNX";

export const help = `Usage: retainwise train <labeled.csv> --label Churn -o models/churn-vN.onnx [options]

Trains the additive logistic churn model (one-hot categoricals, splines on numerics, L2 chosen by
cross-validation), prints held-out metrics, and writes the ONNX model plus its card
(<model>.card.json) beside it. Progress goes to stderr as JSON lines.

Options:
  --label NAME        label column (required), e.g. Churn
  --positive VALUE    label value that means churn (default: Yes, 1 or true, whichever occurs)
  -o, --output PATH   model file to write, e.g. models/churn-v2.onnx (required)
  --version vN        model version recorded in the model and card (default: from the file name, else v1)
  --name NAME         model name (default: churn)
  --seed N            seed for the split and folds (default: 42); same seed, same bytes
  --id-column NAME    column that identifies customers, never an input (default: detected)
  --split-out PATH    also write the held-out split as CSV (row,id,part) for bench/compare-sklearn.py
`;

/** `retainwise train`: resolves the exit code (0 ok, 1 training failed, 2 usage). */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (typeof args === "string") {
    process.stderr.write(`retainwise train: ${args}\n\n${help}`);
    return 2;
  }
  const log = createLogger({ component: "train" });
  const started = performance.now();
  try {
    const artifacts = await trainFromCsvFile(args.input, {
      label: args.label,
      positive: args.positive,
      idColumns: args.idColumn ? [args.idColumn] : undefined,
      seed: args.seed,
      name: args.name,
      version: args.version,
      onProgress: (message, fields) => log.info(message, fields),
    });
    const cardPath = await writeModelFiles(args.output, artifacts);
    if (args.splitOut) {
      await mkdir(dirname(args.splitOut), { recursive: true });
      await writeFile(args.splitOut, splitCsv(artifacts));
    }
    const { auc, brier, accuracy } = artifacts.card.metrics!.heldOut;
    log.info("model written", { model: args.output, card: cardPath, seconds: +((performance.now() - started) / 1000).toFixed(2) });
    process.stdout.write(`${args.output}\n${cardPath}\nheld-out AUC ${auc.toFixed(4)}  Brier ${brier.toFixed(4)}  accuracy ${accuracy.toFixed(4)}\n`);
    return 0;
  } catch (error) {
    if (!isRetainwiseError(error)) throw error;
    process.stderr.write(`retainwise train: ${error.message} (${error.code})\n`);
    return 1;
  }
}

interface TrainArgs {
  input: string;
  label: string;
  output: string;
  positive?: string;
  version: string;
  name: string;
  seed: number;
  idColumn?: string;
  splitOut?: string;
}

function parseCommandLine(argv: string[]): TrainArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        label: { type: "string" },
        positive: { type: "string" },
        output: { type: "string", short: "o" },
        version: { type: "string" },
        name: { type: "string", default: "churn" },
        seed: { type: "string", default: "42" },
        "id-column": { type: "string" },
        "split-out": { type: "string" },
      },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return "give exactly one labeled CSV file.";
  if (!values.label) return "--label is required (the column that says whether the customer churned).";
  if (!values.output) return "-o/--output is required (where to write the .onnx model).";
  if (!/\.onnx$/i.test(values.output)) return "the output file must end in .onnx (the card is written beside it).";
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) return "--seed must be a non-negative integer.";
  const version = values.version ?? /-(v\d+)\.onnx$/i.exec(values.output)?.[1] ?? "v1";
  return {
    input: positionals[0]!,
    label: values.label,
    output: values.output,
    positive: values.positive,
    version,
    name: values.name!,
    seed,
    idColumn: values["id-column"],
    splitOut: values["split-out"],
  };
}
