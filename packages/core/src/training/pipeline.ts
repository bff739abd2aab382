import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { ModelCard } from "../model/card.ts";
import { cardPathFor } from "../model/card.ts";
import { buildModelCard } from "./card.ts";
import type { LabeledDataset, ReadDatasetOptions } from "./dataset.ts";
import { readLabeledCsv } from "./dataset.ts";
import { rowCells } from "./features.ts";
import { scoreRow } from "./model.ts";
import { exportOnnx } from "./onnx-export.ts";
import type { TrainOptions, TrainResult } from "./train.ts";
import { trainChurnModel } from "./train.ts";

export interface TrainFileOptions extends ReadDatasetOptions, TrainOptions {
  name?: string;
  version: string;
  created?: string;
}

export interface TrainedArtifacts {
  onnx: Uint8Array;
  card: ModelCard;
  result: TrainResult;
  data: LabeledDataset;
}

/**
 * Reads a labeled CSV, trains, and returns the ONNX bytes and the card (nothing written).
 *
 * @example const { onnx, card } = await trainFromCsvFile("tests/fixtures/telco-churn.csv", { label: "Churn", version: "v1" });
 */
export async function trainFromCsvFile(path: string, options: TrainFileOptions): Promise<TrainedArtifacts> {
  const { name = "churn", version, created, ...rest } = options;
  const data = readLabeledCsv(await readFile(path), rest);
  options.onProgress?.("read training file", { rows: data.rows, inputs: data.columns.length });
  const result = trainChurnModel(data, rest);
  const onnx = exportOnnx(result.model, { name, version });
  const card = buildModelCard(data, result, { name, version, created, file: basename(path) });
  return { onnx, card, result, data };
}

/** Writes `<model>.onnx` and its card beside it (`<model>.card.json`); returns the card path. */
export async function writeModelFiles(modelPath: string, artifacts: Pick<TrainedArtifacts, "onnx" | "card">): Promise<string> {
  await mkdir(dirname(modelPath), { recursive: true });
  const cardPath = cardPathFor(modelPath);
  await writeFile(modelPath, artifacts.onnx);
  await writeFile(cardPath, JSON.stringify(artifacts.card, null, 2) + "\n");
  return cardPath;
}

/**
 * The held-out split as CSV, `row,id,part,probability` (row = 0-based data row; probability = the
 * evaluation model's churn probability on held-out rows), so bench/compare-sklearn.py scores the
 * very same rows and recomputes our metrics with scikit-learn's own functions.
 */
export function splitCsv(artifacts: Pick<TrainedArtifacts, "data" | "result">): string {
  const { data, result } = artifacts;
  const probability = new Map(result.split.heldOut.map((r) => [r, scoreRow(result.evaluationModel, rowCells(data.values, r)).probability]));
  const lines = data.ids.map((id, r) => {
    const p = probability.get(r);
    return p === undefined ? `${r},${id},train,` : `${r},${id},heldout,${p}`;
  });
  return "row,id,part,probability\n" + lines.join("\n") + "\n";
}
