import type { Readable } from "node:stream";
import * as v from "valibot";
import { RetainwiseError } from "../errors.ts";
import { ModelCardSchema } from "../model/card.ts";
import { loadModelFromBytes, type ChurnModel } from "../model/churn-model.ts";
import { createModelCache } from "../model/model-cache.ts";
import type { ModelSource } from "../ports/model-source.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { BUILTIN_MODEL_ID, modelLabel, type Model, type ModelRepository } from "./model.ts";

export interface ModelSourceOptions {
  models: Pick<ModelRepository, "getById">;
  store: ObjectStore;
  /** Loads the built-in model (from the program's own files). */
  builtin(): Promise<ChurnModel>;
  /** Sessions kept loaded (each costs its model's size plus onnxruntime's overhead, a few MB for a term-table model). */
  maxModels: number;
}

/**
 * The worker's `ModelSource`: the built-in model from the program's files, trained models from the
 * object store (ONNX bytes + card), loaded once into a size-bounded LRU of sessions keyed by model id.
 * Every acquire checks the row, so a model deleted since it was cached scores nothing new.
 *
 * @example
 *   const models = createModelSource({ models: repo, store, builtin: () => loadModel(path), maxModels: 8 });
 */
export function createModelSource(options: ModelSourceOptions): ModelSource {
  const cache = createModelCache({
    load: (id) => (id === BUILTIN_MODEL_ID ? options.builtin() : loadTrained(id)),
    maxModels: options.maxModels,
  });
  return {
    async acquire({ accountId, modelId }) {
      const id = modelId ?? BUILTIN_MODEL_ID;
      if (id !== BUILTIN_MODEL_ID) usable(await options.models.getById(id), accountId, id);
      return cache.lease(id);
    },
    close: () => cache.close(),
  };

  async function loadTrained(id: string): Promise<ChurnModel> {
    const model = (await options.models.getById(id))!;
    const [onnx, cardText] = await Promise.all([
      readAll(await options.store.get(model.onnxKey!)),
      readAll(await options.store.get(model.cardKey!)),
    ]);
    const card = v.parse(ModelCardSchema, JSON.parse(cardText.toString("utf8")));
    return loadModelFromBytes({ onnx, card }, { version: modelLabel(model) });
  }
}

function usable(model: Model | null, accountId: string, id: string): Model {
  if (!model || model.accountId !== accountId)
    throw new RetainwiseError(
      "model.not_found",
      `No model ${id} in this account. List your models with GET /v1/models.`,
    );
  if (model.deletedAt)
    throw new RetainwiseError(
      "model.deleted",
      `The model ${modelLabel(model)} was deleted, so it cannot score new files. Choose another model and upload the file again.`,
    );
  if (model.status !== "READY")
    throw new RetainwiseError(
      "model.not_ready",
      `The model ${modelLabel(model)} is ${model.status}; only a READY model can score.`,
    );
  return model;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
