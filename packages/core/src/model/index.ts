export * from "./card.ts";
export { loadModel, loadModelFromBytes } from "./churn-model.ts";
export type {
  ChurnModel,
  Factor,
  ModelInput,
  ModelOutput,
  LoadModelOptions,
  LoadFromBytesOptions,
  ModelBytes,
} from "./churn-model.ts";
export * from "./term-model.ts";
export { createModelCache, type ModelCache, type ModelCacheOptions } from "./model-cache.ts";
