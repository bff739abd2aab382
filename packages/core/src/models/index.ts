/** Models: the entity and its repository port, the training job, and the use cases the API calls (usable, train, delete). */
export * from "./model.ts";
export { trainJob, modelKeys, modelPrefix } from "./train-job.ts";
export type { TrainDeps, TrainOptions as TrainJobOptions } from "./train-job.ts";
export { modelNotReady, ownedModel, readyModels, usableChallenger, usableModel } from "./usable.ts";
export { submitTraining, trainFromPrediction, type TrainingDeps, type TrainingUpload } from "./train.ts";
export { deleteModel } from "./delete-model.ts";
