import { RetainwiseError } from "../errors.ts";
import type { Model, ModelRepository } from "../models/model.ts";
import type { Prediction } from "./prediction.ts";
import { usableModel } from "../models/usable.ts";

/** "Promote challenger": the prediction's challenger, if it is still READY, becomes the account's default model. */
export async function promoteChallenger(
  models: Pick<ModelRepository, "get" | "setDefaultModel">,
  prediction: Prediction,
): Promise<Model> {
  if (!prediction.challengerModelId) {
    throw new RetainwiseError(
      "prediction.no_challenger",
      `Prediction ${prediction.id} was scored without a challenger. Upload with ?challenger=MODEL_ID to compare two models, or set the default with PUT /v1/account/default-model.`,
    );
  }
  const model = await usableModel(models, prediction.accountId, prediction.challengerModelId);
  await models.setDefaultModel(prediction.accountId, model.id);
  return model;
}
