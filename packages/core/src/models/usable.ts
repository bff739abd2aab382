import { RetainwiseError } from "../errors.ts";
import { modelLabel, type Model, type ModelRepository } from "./model.ts";
import type { ModelCard } from "../model/card.ts";

/** The account's model (or the built-in one); `model.not_found` otherwise: another account's model is not revealed. */
export async function ownedModel(models: Pick<ModelRepository, "get">, accountId: string, id: string): Promise<Model> {
  const model = await models.get(accountId, id);
  if (!model)
    throw new RetainwiseError(
      "model.not_found",
      `No model ${id} in this account. List your models with GET /v1/models.`,
    );
  return model;
}

/** The account's (or the built-in) model `id`, READY: what `?model=`, the default and a promoted challenger may name. */
export async function usableModel(models: Pick<ModelRepository, "get">, accountId: string, id: string): Promise<Model> {
  const model = await ownedModel(models, accountId, id);
  if (model.status !== "READY") throw modelNotReady(model, "only a READY model can score");
  return model;
}

/** `?challenger=`: a usable model (as for `?model=`) other than the champion. */
export async function usableChallenger(
  models: Pick<ModelRepository, "get">,
  accountId: string,
  champion: Model,
  id: string,
): Promise<Model> {
  if (id === champion.id) {
    throw new RetainwiseError(
      "request.same_model",
      `The challenger is the model that scores the file (${modelLabel(champion)}). Name another model as ?challenger=, or leave it out.`,
    );
  }
  return usableModel(models, accountId, id);
}

/** `model.not_ready` (409 conflict, on every route): what the model is, why that does not do, and what it failed on. */
export function modelNotReady(model: Model, why: string): RetainwiseError {
  const failed =
    model.status === "FAILED"
      ? ` It failed: ${model.errorMessage}`
      : model.status === "CANCELED"
        ? ""
        : " Try again when its status is READY.";
  return new RetainwiseError("model.not_ready", `Model ${modelLabel(model)} is ${model.status}; ${why}.${failed}`);
}

/** Models looked through for the account's words: the newest, as `GET /v1/models` lists them (an account has a handful). */
const READY_MODELS_LOOKED_AT = 100;

/** The account's READY models that have a card (the built-in one included), newest first: what uploads are matched against. */
export async function readyModels(
  models: Pick<ModelRepository, "list">,
  accountId: string,
): Promise<(Model & { card: ModelCard })[]> {
  const { items } = await models.list(accountId, { limit: READY_MODELS_LOOKED_AT });
  return items.filter((m): m is Model & { card: ModelCard } => m.status === "READY" && m.card !== null);
}
