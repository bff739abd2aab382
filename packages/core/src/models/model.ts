import { RetainwiseError } from "../errors.ts";
import type { ModelCard } from "../model/card.ts";
import type { JobError, JobRow, JobRows } from "../jobs/job-rows.ts";
import type { Page } from "../predictions/prediction.ts";

/**
 * A churn model an account trains from a labeled CSV, or the built-in one. Its life, a job like a
 * prediction (same outbox, claim, heartbeat and attempt guards):
 *
 *   QUEUED --claim--> TRAINING --complete--> READY
 *      |                 |  \--fail-------> FAILED      (bad data: the trainer's message; or attempts exhausted)
 *      |                 \--release------> QUEUED       (shutdown: another worker takes it)
 *      \---------------------cancel------> CANCELED     (customer DELETE; a training worker notices at its next heartbeat)
 *
 * A deleted model keeps its row (`deletedAt`), so predictions made with it still name it.
 */
export const MODEL_STATUSES = ["QUEUED", "TRAINING", "READY", "FAILED", "CANCELED"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];
/** Statuses after which a model is never trained again. */
export const MODEL_FINISHED_STATUSES: readonly ModelStatus[] = ["READY", "FAILED", "CANCELED"];

/** The model shipped with the program (models/churn-v1.onnx): every account's, the default until an account picks another. */
export const BUILTIN_MODEL_ID = "00000000-0000-4000-8000-000000000001";
/**
 * The built-in model's one name, in lists, results and `model_version` alike: its row is `telco`
 * version 1 (migrations/0004_models.sql), so `modelLabel` of it. The shipped card says `v1` (its
 * trainer's version), which is what predictions scored before this name was used stored.
 */
export const BUILTIN_MODEL_LABEL = "telco-v1";
/** What predictions of the built-in model stored as their `model_version` before it had one name. */
export const BUILTIN_LEGACY_VERSION = "v1";

export interface Model extends JobRow {
  /** Null for the built-in model. */
  accountId: string | null;
  name: string;
  /** 1, 2, … per account and name. */
  version: number;
  status: ModelStatus;
  labelColumn: string;
  /** The label value counted as churn; null: the trainer picks the value that reads as churned (training/label.ts). */
  positiveValue: string | null;
  /** The uploaded training file; null for the built-in model and for a model trained from a prediction's outcomes. */
  inputKey: string | null;
  /**
   * Trained from this prediction's outcomes (`?fromPrediction=`): the worker builds the training file
   * from its input and outcomes. Null otherwise, and once that prediction is deleted.
   */
  sourcePredictionId: string | null;
  inputFilename: string;
  inputBytes: number;
  rowsTotal: number | null;
  progressPhase: string | null;
  progressPercent: number;
  metrics: ModelMetrics | null;
  card: ModelCard | null;
  onnxKey: string | null;
  cardKey: string | null;
  deletedAt: Date | null;
}

/** What the API and the UI show of a trained model's quality. */
export interface ModelMetrics {
  heldOut: { auc: number; brier: number; accuracy: number; rows: number; calibration: unknown[] } | null;
  /** Rows of each class in the training file. */
  classBalance: { positive: number; negative: number };
}

/** The quality figures of a card, plus the training file's class balance. */
export function modelMetrics(card: ModelCard, classBalance: ModelMetrics["classBalance"]): ModelMetrics {
  const heldOut = card.metrics?.heldOut;
  return {
    heldOut: heldOut
      ? {
          auc: heldOut.auc,
          brier: heldOut.brier,
          accuracy: heldOut.accuracy,
          rows: heldOut.rows,
          calibration: heldOut.calibration,
        }
      : null,
    classBalance,
  };
}

/** `bank` version 2 -> `bank-v2`: what predictions and scored files call the model. */
export function modelLabel(model: Pick<Model, "name" | "version">): string {
  return `${model.name}-v${model.version}`;
}

/** A training refused for the account's concurrent-training limit: retry once one finishes. */
export function tooManyTrainings(limit: number): RetainwiseError {
  return new RetainwiseError(
    "model.too_many_trainings",
    `This account already has ${limit} models training. Wait for one to finish (GET /v1/models), or delete one, then try again.`,
    { retryAfterSeconds: TRAINING_RETRY_AFTER_SECONDS },
  );
}

/** A training takes minutes: asking again sooner than this is pointless. */
const TRAINING_RETRY_AFTER_SECONDS = 60;

export interface NewModel {
  id: string;
  accountId: string;
  name: string;
  labelColumn: string;
  positiveValue: string | null;
  /** The uploaded training file, or null with `sourcePredictionId`. */
  inputKey: string | null;
  sourcePredictionId?: string | null;
  inputFilename: string;
  /** The upload's size; 0 for a training file the worker builds (its size is recorded at completion). */
  inputBytes: number;
}

/** What an account sets on a model it scores with (`PUT /v1/models/:id/settings`). */
export interface ModelSettings {
  /** Card input names the account can change: `retention_action` proposes a change to one of them. */
  actionable: string[];
}

export interface TrainingProgress {
  phase: string;
  percent: number;
}

export interface TrainedModel {
  onnxKey: string;
  cardKey: string;
  card: ModelCard;
  metrics: ModelMetrics;
  rows: number;
  /** The size of a training file the worker built (`sourcePredictionId`); absent: the upload's, as recorded. */
  inputBytes?: number;
}

/** Persistence of models (Postgres in every mode). */
export interface ModelRepository extends JobRows<Model, TrainingProgress> {
  /**
   * Inserts a QUEUED model as the next version of `name` in the account. With `maxInProgress`, refuses
   * (`model.too_many_trainings`) when the account already has that many QUEUED or TRAINING: checked
   * and inserted atomically, so simultaneous uploads cannot pass the limit together.
   */
  create(input: NewModel, options?: { maxInProgress?: number }): Promise<Model>;
  /** The account's model, or the built-in one; null when neither (or deleted). */
  get(accountId: string, id: string): Promise<Model | null>;
  /** Newest first, the built-in model last on the last page. */
  list(accountId: string, options: { limit: number; cursor?: string | null }): Promise<Page<Model>>;
  complete(id: string, attempt: number, trained: TrainedModel): Promise<boolean>;
  /** Cancels training if it has not finished and marks the model deleted; returns it as it was before, or null if not this account's. */
  remove(accountId: string, id: string): Promise<Model | null>;
  /** QUEUED and TRAINING models of the account (the concurrency limit). */
  countInProgress(accountId: string): Promise<number>;
  /** The account's default model id (the built-in one unless it picked another). */
  defaultModelId(accountId: string): Promise<string>;
  setDefaultModel(accountId: string, modelId: string): Promise<void>;
  /** The account's settings of a model (its own or the built-in one); nothing set: `{ actionable: [] }`. */
  settings(accountId: string, modelId: string): Promise<ModelSettings>;
  saveSettings(accountId: string, modelId: string, settings: ModelSettings): Promise<ModelSettings>;
  /** Writes the shipped card, and where its files were published in the store, into the built-in model's row at start-up. */
  registerBuiltin(card: ModelCard | undefined, keys: { onnxKey: string; cardKey: string | null }): Promise<void>;
}

export type { JobError };
