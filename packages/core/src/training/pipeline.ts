import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { TermTablesCard } from "../model/card.ts";
import { cardPathFor } from "../model/card.ts";
import { withFloat32Tables } from "../model/term-model.ts";
import { buildTermCard, trainingBinShares } from "./card.ts";
import { fitTermModel, type FitResult } from "./boost/index.ts";
import { readTrainingTable, type ReadTrainingOptions, type TrainingInput } from "./read-table.ts";
import { exportTermModel } from "./term-export.ts";

export interface TrainFileOptions extends ReadTrainingOptions {
  name?: string;
  version: string;
  /** Seeds the split, bagging and everything random: same file and seed, same bytes. Default 42. */
  seed?: number;
  /** ISO timestamp written to the card; injectable so a retrain reproduces the card byte for byte. */
  created?: string;
  /** Threads the fit's bags run on, with the program file extra threads start from (`serveBagThread`); the model is the same on any number. Default 1. */
  threads?: number;
  workerEntry?: string | URL;
  /** Each step as it happens, e.g. `("read training file", { rows: 5626, inputs: 19 })`. */
  onProgress?: (step: string, fields?: Record<string, unknown>) => void;
}

export interface TrainedArtifacts {
  onnx: Uint8Array;
  card: TermTablesCard;
  /** The table as read, with every column's role. */
  input: TrainingInput;
  /** The training rows and their 0/1 labels. */
  data: { rows: number; labels: Uint8Array };
  result: FitResult;
}

export const DEFAULT_SEED = 42;

/**
 * Reads a labeled CSV (roles decided, read-table.ts), fits the term model (boost/), and returns the
 * ONNX bytes and the card (nothing written).
 *
 * @example const { onnx, card } = await trainFromCsvFile("tests/fixtures/telco-churn.csv", { label: "Churn", version: "v1" });
 */
export async function trainFromCsvFile(path: string, options: TrainFileOptions): Promise<TrainedArtifacts> {
  const { name = "churn", version, created, seed = DEFAULT_SEED, onProgress = () => {} } = options;
  const input = await readTrainingTable(createReadStream(path), options);
  const { table } = input;
  onProgress("read training file", {
    rows: table.rows,
    inputs: table.inputs.length,
    skippedRows: input.rowErrors.length,
  });
  // Every whole percent, not only each phase: one phase of a large table lasts minutes, and the
  // worker's no-progress watchdog (jobs/run-job.ts) must see a long training move.
  let last = "";
  const result = await fitTermModel(table, {
    seed,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.workerEntry !== undefined ? { workerEntry: options.workerEntry } : {}),
    ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
    onProgress: (p) => {
      const percent = Math.round(p.percent);
      if (`${p.phase} ${percent}` !== last) onProgress("fit", { phase: p.phase, percent });
      last = `${p.phase} ${percent}`;
    },
  });
  const model = withFloat32Tables(result.model);
  const positives = table.labels.reduce((n, y) => n + y, 0);
  const card = buildTermCard(
    {
      model,
      columns: input.columns,
      label: input.label,
      trainingData: {
        file: basename(path),
        sha256: input.sha256,
        rows: table.rows,
        positiveRate: positives / table.rows,
      },
      thresholds: result.thresholds,
      heldOut: result.heldOut,
      hyperparameters: {
        ...result.settings,
        refitted: result.refitted,
        rounds: result.rounds,
        calibration: result.calibration,
        numberFormat: input.numberFormat,
      },
      binShares: trainingBinShares(model, table),
    },
    { name, version, created },
  );
  onProgress("exported", { terms: model.terms.length, pairs: model.terms.filter((t) => t.kind === "pair").length });
  return {
    onnx: exportTermModel(model, { name, version }),
    card,
    input,
    data: { rows: table.rows, labels: table.labels },
    result,
  };
}

/** Writes `<model>.onnx` and its card beside it (`<model>.card.json`); returns the card path. */
export async function writeModelFiles(
  modelPath: string,
  artifacts: Pick<TrainedArtifacts, "onnx" | "card">,
): Promise<string> {
  await mkdir(dirname(modelPath), { recursive: true });
  const cardPath = cardPathFor(modelPath);
  await writeFile(modelPath, artifacts.onnx);
  await writeFile(cardPath, cardJson(artifacts.card));
  return cardPath;
}

/** The card as written: indented for people, but each array of numbers (cuts, tables) on one line. */
export function cardJson(card: TermTablesCard): string {
  return (
    JSON.stringify(card, null, 2).replace(
      /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
      (_, numbers: string) => `[${numbers.replace(/,\s+/g, ", ")}]`,
    ) + "\n"
  );
}
