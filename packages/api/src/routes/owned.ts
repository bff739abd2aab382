import { RetainwiseError } from "@retainwise/core/errors";
import type { Model } from "@retainwise/core/models";
import type { Prediction } from "@retainwise/core/predictions";
import { ownedModel } from "@retainwise/core/models";
import type { ApiDeps } from "../env.ts";
import { IdParamSchema } from "../schemas.ts";
import { parseOr400 } from "../validate.ts";

/** The `:id` path parameter as a UUID, or 400 `request.bad_id`. */
export function idParam(raw: string | undefined): string {
  return parseOr400(IdParamSchema, { id: raw }, "path parameter", "request.bad_id").id;
}

/** The account's prediction `:id`; another account's is "not found" too: ids are not secrets, but existence is. */
export async function ownedPrediction(
  deps: Pick<ApiDeps, "predictions">,
  accountId: string,
  rawId: string | undefined,
): Promise<Prediction> {
  const id = idParam(rawId);
  const prediction = await deps.predictions.get(accountId, id);
  if (!prediction) throw new RetainwiseError("prediction.not_found", `No prediction ${id} in this account.`);
  return prediction;
}

/** The account's prediction `:id`, COMPLETED (409 `prediction.not_ready` otherwise, saying what waits for it). */
export async function completedPrediction(
  deps: Pick<ApiDeps, "predictions">,
  accountId: string,
  rawId: string | undefined,
  what: string,
): Promise<Prediction> {
  const prediction = await ownedPrediction(deps, accountId, rawId);
  if (prediction.status !== "COMPLETED") {
    throw new RetainwiseError(
      "prediction.not_ready",
      `Prediction ${prediction.id} is ${prediction.status}; ${what} once it is COMPLETED.`,
    );
  }
  return prediction;
}

/** The account's (or the built-in) model `:id`. */
export function ownedModelParam(
  deps: Pick<ApiDeps, "models">,
  accountId: string,
  rawId: string | undefined,
): Promise<Model> {
  return ownedModel(deps.models, accountId, idParam(rawId));
}
