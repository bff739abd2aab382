/**
 * The job work that runs models, and so loads onnxruntime: scoring and the model source. Apart from
 * `@retainwise/core/jobs` so that processes that only submit and read jobs (the API) never load it.
 */
export { scoreJob } from "../predictions/score-job.ts";
export type { ScoreDeps, ScoreOptions } from "../predictions/score-job.ts";
export { scoreShardJob, type ShardDeps } from "../predictions/score-shard.ts";
export { createModelSource, type ModelSourceOptions } from "../models/model-source.ts";
