import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { Hono } from "hono";
import * as v from "valibot";
import { RetainwiseError } from "@retainwise/core/errors";
import { BUILTIN_MODEL_ID, modelLabel, modelPrefix, tooManyTrainings, submitJob, type Model } from "@retainwise/core/jobs";
import type { ModelCard } from "@retainwise/core/model/card";
import { findLabelColumn, headerRow, readHead, replay, type Head } from "@retainwise/core/csv";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { bearerAuth } from "../middleware/auth.ts";
import { DefaultModelSchema, IdParamSchema, ListQuerySchema, toModelJson, TrainQuerySchema } from "../schemas.ts";
import { DEFAULT_UPLOAD_IDLE_SECONDS, openUpload, type IncomingUpload } from "../upload.ts";
import { jsonBody, parseOr400 } from "../validate.ts";

/**
 * `/v1/models`: train a model on a labeled CSV, list, read, download, delete — scoped to the
 * caller's account; the built-in model is listed for everyone and can be read, not deleted.
 */
export function modelRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const { models, store, queue, logger } = deps;
  const app = new Hono<ApiEnv>();
  app.use("*", bearerAuth(deps.accounts));

  app.post("/", async (c) => {
    const account = c.get("account");
    // Refused before the upload is read when already over; create() decides atomically.
    if ((await models.countInProgress(account.id)) >= deps.maxConcurrentTrainings) throw tooManyTrainings(deps.maxConcurrentTrainings);
    const upload = await openUpload(c.req.raw, deps.maxTrainingBytes, (deps.uploadIdleSeconds ?? DEFAULT_UPLOAD_IDLE_SECONDS) * 1000);
    const { params, head, labelColumn } = await checkTrainingUpload(c.req.query(), upload);
    const id = randomUUID();
    const inputKey = `${modelPrefix({ id, accountId: account.id })}/training.csv`;
    const created = await submitJob({
      kind: "train",
      store,
      queue,
      rows: models,
      logger,
      key: inputKey,
      body: Readable.from(replay(head)),
      insert: (bytes) =>
        models.create(
          { id, accountId: account.id, name: params.name, labelColumn, positiveValue: params.positive ?? null, inputKey, inputFilename: upload.filename, inputBytes: bytes },
          { maxInProgress: deps.maxConcurrentTrainings },
        ),
    });
    c.header("Location", `/v1/models/${id}`);
    return c.json(toModelJson(created, await models.defaultModelId(account.id)), 202);
  });

  app.get("/", async (c) => {
    const account = c.get("account");
    const query = parseOr400(ListQuerySchema, c.req.query(), "query parameter");
    const [page, defaultId] = await Promise.all([models.list(account.id, { limit: query.limit, cursor: query.cursor ?? null }), models.defaultModelId(account.id)]);
    return c.json({ items: page.items.map((m) => toModelJson(m, defaultId)), nextCursor: page.nextCursor });
  });

  app.get("/:id", async (c) => {
    const account = c.get("account");
    const model = await owned(account.id, c.req.param("id"));
    return c.json(toModelJson(model, await models.defaultModelId(account.id)));
  });

  app.get("/:id/card", async (c) => {
    const model = await owned(c.get("account").id, c.req.param("id"));
    if (!model.card) throw notReady(model, "its card exists once it is READY");
    return c.json(model.card);
  });

  app.get("/:id/download", async (c) => {
    const model = await owned(c.get("account").id, c.req.param("id"));
    if (model.status !== "READY" || !model.onnxKey) throw notReady(model, "there is nothing to download yet");
    const filename = `${modelLabel(model)}.onnx`;
    const signed = await store.presignGet(model.onnxKey, { expiresInSeconds: deps.downloadUrlTtlSeconds, filename });
    if (c.req.query("redirect") === "1") return c.redirect(signed.url, 302);
    return c.json({ url: signed.url, expiresAt: signed.expiresAt.toISOString(), filename });
  });

  app.get("/:id/settings", async (c) => {
    const account = c.get("account");
    const model = await owned(account.id, c.req.param("id"));
    return c.json({ modelId: model.id, ...(await models.settings(account.id, model.id)) });
  });

  /** The account's settings of the model: `{ "actionable": ["Contract", "PaymentMethod"] }`, card input names (matched ignoring case). */
  app.put("/:id/settings", async (c) => {
    const account = c.get("account");
    const model = await owned(account.id, c.req.param("id"));
    const body = parseOr400(ModelSettingsSchema, await jsonBody(c.req.raw), "body field");
    const actionable = cardInputNames(model, body.actionable);
    return c.json({ modelId: model.id, ...(await models.saveSettings(account.id, model.id, { actionable })) });
  });

  app.delete("/:id", async (c) => {
    const account = c.get("account");
    const model = await owned(account.id, c.req.param("id"));
    if (model.accountId === null) throw new RetainwiseError("model.builtin", "The built-in model cannot be deleted. Pick another default with PUT /v1/account/default-model if you want to stop using it.");
    const before = (await models.remove(account.id, model.id)) ?? model;
    // A training worker still on it notices the cancel at its next heartbeat and deletes what it wrote.
    await Promise.all([before.inputKey, before.onnxKey, before.cardKey].filter((k): k is string => !!k).map((key) => store.delete(key)));
    const status = before.status === "QUEUED" || before.status === "TRAINING" ? "CANCELED" : before.status;
    return c.json({ ...toModelJson({ ...before, status }, BUILTIN_MODEL_ID), isDefault: false, deleted: true });
  });

  return app;

  async function owned(accountId: string, rawId: string): Promise<Model> {
    const { id } = parseOr400(IdParamSchema, { id: rawId }, "path parameter", "request.bad_id");
    const model = await models.get(accountId, id);
    // Another account's model is "not found" too: existence is not revealed.
    if (!model) throw new RetainwiseError("model.not_found", `No model ${id} in this account. List your models with GET /v1/models.`);
    return model;
  }
}

/** `PUT /v1/account/default-model`: the model uploads score with when they name none. */
export function accountRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use("*", bearerAuth(deps.accounts));
  app.put("/default-model", async (c) => {
    const account = c.get("account");
    const body = parseOr400(DefaultModelSchema, await jsonBody(c.req.raw), "body field");
    const model = await usableModel(deps, account.id, body.modelId);
    await deps.models.setDefaultModel(account.id, model.id);
    return c.json(toModelJson(model, model.id));
  });
  return app;
}

/** The account's (or the built-in) model `id`, READY: what `?model=` and the default may name. */
export async function usableModel(deps: Pick<ApiDeps, "models">, accountId: string, id: string): Promise<Model> {
  const model = await deps.models.get(accountId, id);
  if (!model) throw new RetainwiseError("model.not_found", `No model ${id} in this account. List your models with GET /v1/models.`);
  if (model.status !== "READY") throw notReady(model, "only a READY model can score", "input");
  return model;
}

/** Models looked through for the account's words: the newest, as `GET /v1/models` lists them (an account has a handful). */
const READY_MODELS_LOOKED_AT = 100;

/** The account's READY models that have a card (the built-in one included), newest first: what uploads are matched against. */
export async function readyModels(deps: Pick<ApiDeps, "models">, accountId: string): Promise<(Model & { card: ModelCard })[]> {
  const { items } = await deps.models.list(accountId, { limit: READY_MODELS_LOOKED_AT });
  return items.filter((m): m is Model & { card: ModelCard } => m.status === "READY" && m.card !== null);
}

/** `?challenger=`: a usable model (as for `?model=`) other than the champion. */
export async function usableChallenger(deps: Pick<ApiDeps, "models">, accountId: string, champion: Model, id: string): Promise<Model> {
  if (id === champion.id) throw new RetainwiseError("request.same_model", `The challenger is the model that scores the file (${modelLabel(champion)}). Name another model as ?challenger=, or leave it out.`);
  return usableModel(deps, accountId, id);
}

/** A settings body: every field optional only once there are more; today `actionable`, card input names. */
const ModelSettingsSchema = v.object({
  actionable: v.pipe(
    v.array(v.pipe(v.string("must be a list of column names"), v.trim(), v.minLength(1, "must not hold an empty name"), v.maxLength(200)), "must be a list of column names"),
    v.maxLength(100, "must list at most 100 columns"),
  ),
});

/**
 * The names as the card writes its inputs (exactly, else ignoring case), each once; an unknown name
 * answers 400 `request.invalid_actionable` naming the model's inputs (as `score --actionable`).
 */
function cardInputNames(model: Model, names: readonly string[]): string[] {
  const card = model.card;
  if (!card || !("format" in card)) throw notReady(model, "its columns are known once it is READY");
  const inputs = card.inputs.map((i) => i.name);
  const resolved = names.map((name) => {
    const found = inputs.includes(name) ? name : inputs.find((i) => i.toLowerCase() === name.toLowerCase());
    if (found === undefined) throw new RetainwiseError("request.invalid_actionable", `"${name}" is not an input of the model ${modelLabel(model)}, so it cannot be actionable. The model's inputs: ${inputs.join(", ")}.`);
    return found;
  });
  return [...new Set(resolved)];
}

function notReady(model: Model, why: string, kind: "input" | "conflict" = "conflict"): RetainwiseError {
  const failed = model.status === "FAILED" ? ` It failed: ${model.errorMessage}` : model.status === "CANCELED" ? "" : " Try again when its status is READY.";
  return new RetainwiseError("model.not_ready", `Model ${modelLabel(model)} is ${model.status}; ${why}.${failed}`, { kind });
}

/**
 * The parameters (query string, or multipart fields before the file) and the label column, checked
 * against the file's header before anything is stored: a typo answers 400 at once. On any problem
 * the upload is dropped.
 */
async function checkTrainingUpload(query: Record<string, string>, upload: IncomingUpload): Promise<{ params: v.InferOutput<typeof TrainQuerySchema>; head: Head; labelColumn: string }> {
  try {
    // Listed up front so a missing one is reported with its own message ("is required: …").
    const params = parseOr400(TrainQuerySchema, { label: undefined, name: undefined, ...query, ...upload.fields }, "parameter");
    const head = await readHead(upload.body);
    return { params, head, labelColumn: findLabelColumn(headerRow(head), params.label) };
  } catch (error) {
    upload.body.destroy();
    throw error;
  }
}
