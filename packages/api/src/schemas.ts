import * as v from "valibot";
import { PREDICTION_STATUSES, type Prediction } from "@retainwise/core";

/** HTTP shapes, validated on the way in and documented from the same schemas (openapi.ts). */
export const IdParamSchema = v.object({ id: v.pipe(v.string(), v.uuid("must be a prediction id (a UUID)")) });

export const ListQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.transform(Number), v.integer("must be an integer"), v.minValue(1, "must be at least 1"), v.maxValue(100, "must be at most 100")), "20"),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

export const ErrorReportQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.transform(Number), v.integer("must be an integer"), v.minValue(1, "must be at least 1"), v.maxValue(1000, "must be at most 1000"))),
});

export const ErrorSchema = v.object({ error: v.object({ code: v.string(), message: v.string() }) });

export const PredictionSchema = v.object({
  id: v.string(),
  status: v.picklist(PREDICTION_STATUSES),
  inputFilename: v.string(),
  inputBytes: v.number(),
  createdAt: v.string(),
  startedAt: v.nullable(v.string()),
  completedAt: v.nullable(v.string()),
  modelVersion: v.nullable(v.string()),
  attempts: v.number(),
  progress: v.object({ rowsProcessed: v.number(), rowsFailed: v.number(), rowsTotal: v.nullable(v.number()), percent: v.number() }),
  metrics: v.nullable(v.record(v.string(), v.unknown())),
  error: v.nullable(v.object({ code: v.string(), message: v.string() })),
  links: v.object({ self: v.string(), download: v.nullable(v.string()) }),
});
export type PredictionJson = v.InferOutput<typeof PredictionSchema>;

export const PredictionListSchema = v.object({ items: v.array(PredictionSchema), nextCursor: v.nullable(v.string()) });
export const DownloadSchema = v.object({ url: v.string(), expiresAt: v.string(), filename: v.string() });
export const LimitsSchema = v.object({ maxUploadBytes: v.number(), acceptedTypes: v.array(v.string()), acceptedExtensions: v.array(v.string()) });

export function toPredictionJson(p: Prediction): PredictionJson {
  const self = `/v1/predictions/${p.id}`;
  return {
    id: p.id,
    status: p.status,
    inputFilename: p.inputFilename,
    inputBytes: p.inputBytes,
    createdAt: p.createdAt.toISOString(),
    startedAt: p.startedAt?.toISOString() ?? null,
    completedAt: p.completedAt?.toISOString() ?? null,
    modelVersion: p.modelVersion,
    attempts: p.attempts,
    progress: { rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, rowsTotal: p.rowsTotal, percent: percent(p) },
    metrics: p.metrics as Record<string, unknown> | null,
    error: p.errorCode ? { code: p.errorCode, message: p.errorMessage ?? "" } : null,
    links: { self, download: p.status === "COMPLETED" ? `${self}/download` : null },
  };
}

/** Bytes read of the input while running (the row total is unknown until the end). */
function percent(p: Prediction): number {
  if (p.status === "COMPLETED") return 100;
  if (p.status !== "RUNNING" || p.inputBytes <= 0) return 0;
  return Math.min(99, Math.floor((p.bytesRead / p.inputBytes) * 100));
}

/** The file name a scored result downloads as: `customers.csv` -> `customers-scored.csv`. */
export function resultFilename(inputFilename: string): string {
  return `${baseName(inputFilename)}-scored.csv`;
}

/** `customers.csv` -> `customers-errors.csv` */
export function errorReportFilename(inputFilename: string): string {
  return `${baseName(inputFilename)}-errors.csv`;
}

function baseName(inputFilename: string): string {
  return inputFilename.replace(/\.(csv|txt)$/i, "");
}
