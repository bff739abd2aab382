/**
 * The job work that runs models, and so loads onnxruntime: scoring and the model source. Apart from
 * `@retainwise/core/jobs` so that processes that only submit and read jobs (the API) never load it.
 */
export { scoreJob } from "./process-prediction.ts";
export type { ScoreDeps, ScoreOptions } from "./process-prediction.ts";
export { scoreShardJob, type ShardDeps } from "./score-shard.ts";
export { createModelSource, type ModelSourceOptions } from "./model-source.ts";
