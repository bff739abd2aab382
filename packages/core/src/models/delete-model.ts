import { RetainwiseError } from "../errors.ts";
import type { Model, ModelRepository } from "./model.ts";
import type { ObjectStore } from "../ports/object-store.ts";

/**
 * Deletes the account's model: its row is marked deleted (a training still running is canceled: the
 * worker notices at its next heartbeat and deletes what it wrote) and its files are removed. The
 * built-in model cannot be deleted. Resolves the model as it ended: CANCELED if it was still queued
 * or training, else as it was.
 */
export async function deleteModel(
  deps: { models: Pick<ModelRepository, "remove">; store: Pick<ObjectStore, "delete"> },
  accountId: string,
  model: Model,
): Promise<Model> {
  if (model.accountId === null) {
    throw new RetainwiseError(
      "model.builtin",
      "The built-in model cannot be deleted. Pick another default with PUT /v1/account/default-model if you want to stop using it.",
    );
  }
  const before = (await deps.models.remove(accountId, model.id)) ?? model;
  await Promise.all(
    [before.inputKey, before.onnxKey, before.cardKey]
      .filter((k): k is string => !!k)
      .map((key) => deps.store.delete(key)),
  );
  return { ...before, status: before.status === "QUEUED" || before.status === "TRAINING" ? "CANCELED" : before.status };
}
