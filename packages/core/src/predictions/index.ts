/** Predictions: the entity and its repository port, its shards, and the use cases the API calls (submit, delete, promote). */
export * from "./prediction.ts";
export * from "./shards.ts";
export { MAX_SHARDS, type Sharding } from "./split-shards.ts";
export {
  newPredictionId,
  predictionInputKey,
  submitPrediction,
  type ScoringDeps,
  type ScoringUpload,
} from "./submit.ts";
export { deletePrediction } from "./delete-prediction.ts";
export { promoteChallenger } from "./promote-challenger.ts";
