import * as v from "valibot";
import { UUID_PATTERN } from "../uuid.ts";

/**
 * Every kind of job, one spec each in the worker's registry (registry.ts). A new kind is a name
 * here, its spec (rows + work) and the migration of its rows' table.
 */
export const JOB_KINDS = ["score", "score-shard", "train", "index-scores"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const Uuid = v.pipe(v.string(), v.regex(UUID_PATTERN));

/** What every job message carries: its kind and the id of its row in that kind's table. */
const CurrentMessageSchema = v.strictObject({ kind: v.picklist(JOB_KINDS), id: Uuid });

/**
 * Shapes sent by releases before the registry, which may still be in flight across a deploy (a
 * message waits up to its retry backoff, or a relay pass): `{predictionId}` from before kinds
 * existed, then `{kind: "score", predictionId}` and `{kind: "train", modelId}`. Each reads as the
 * current shape. Once no release older than the registry runs, none of these is sent again.
 */
const LegacyMessageSchemas = [
  v.pipe(
    v.strictObject({ kind: v.optional(v.literal("score")), predictionId: Uuid }),
    v.transform(({ predictionId }) => ({ kind: "score" as const, id: predictionId })),
  ),
  v.pipe(
    v.strictObject({ kind: v.literal("train"), modelId: Uuid }),
    v.transform(({ modelId }) => ({ kind: "train" as const, id: modelId })),
  ),
];

export const JobMessageSchema = v.union([CurrentMessageSchema, ...LegacyMessageSchemas]);
export type JobMessage = v.InferOutput<typeof CurrentMessageSchema>;

/** The message that starts the job of `kind` on row `id`. */
export function jobMessage(kind: JobKind, id: string): JobMessage {
  return { kind, id };
}

/** The message parsed (old shapes as the current one), or undefined for a poison message (not JSON, or not a job message). */
export function parseJobMessage(body: string): JobMessage | undefined {
  try {
    const parsed = v.safeParse(JobMessageSchema, JSON.parse(body));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}
