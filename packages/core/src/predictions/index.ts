/** Use cases of predictions, as the API calls them: submitting a file to score, deleting, promoting the challenger. */
export {
  newPredictionId,
  predictionInputKey,
  submitPrediction,
  type ScoringDeps,
  type ScoringUpload,
} from "./submit.ts";
export { deletePrediction } from "./delete-prediction.ts";
export { promoteChallenger } from "./promote-challenger.ts";
