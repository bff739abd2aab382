/** Use cases of models, as the API calls them: which model may score, training, deleting. */
export { modelNotReady, ownedModel, readyModels, usableChallenger, usableModel } from "./usable.ts";
export { submitTraining, trainFromPrediction, type TrainingDeps, type TrainingUpload } from "./train.ts";
export { deleteModel } from "./delete-model.ts";
