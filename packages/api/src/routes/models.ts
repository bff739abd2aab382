import { Readable } from "node:stream";
import { Hono } from "hono";
import * as v from "valibot";
import { RetainwiseError } from "@retainwise/core/errors";
import { BUILTIN_MODEL_ID, modelLabel, tooManyTrainings, type Model } from "@retainwise/core/models";
import { deleteModel, modelNotReady, submitTraining } from "@retainwise/core/models";
import { checkColumnCount, findLabelColumn, headerRow, readHead, replay, type Head } from "@retainwise/core/csv";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented } from "../openapi/route-docs.ts";
import {
  DownloadQuerySchema,
  ListQuerySchema,
  ModelSettingsSchema,
  toModelJson,
  TrainQuerySchema,
} from "../schemas.ts";
import {
  DELETE_MODEL,
  DOWNLOAD_MODEL,
  GET_MODEL,
  LIST_MODELS,
  MODEL_CARD,
  MODEL_SETTINGS,
  SAVE_MODEL_SETTINGS,
  TRAIN_MODEL,
} from "./model-docs.ts";
import { DEFAULT_UPLOAD_IDLE_SECONDS, openUpload, type IncomingUpload } from "../upload.ts";
import { jsonBody, parseOr400 } from "../validate.ts";
import { modelChartRoutes } from "./model-charts.ts";
import { modelOutcomeRoutes } from "./model-outcomes.ts";
import { ownedModelParam } from "./owned.ts";
import { answerTrainingFromPrediction } from "./prediction-outcomes.ts";
import type { RouteGuards } from "./v1.ts";

/**
 * `/v1/models`: train a model on a labeled CSV, list, read, download, settings, delete — scoped to
 * the caller's account; the built-in model is listed for everyone and can be read, not deleted —
 * and, from model-charts.ts and model-outcomes.ts, its pictures and realized performance.
 */
export function modelRoutes(deps: ApiDeps, guards: RouteGuards): Hono<ApiEnv> {
  const { models, store } = deps;
  const app = new Hono<ApiEnv>();

  app.post(
    "/",
    guards.idempotent,
    guards.upload,
    documented(TRAIN_MODEL, async (c) => {
      // The old form of POST /v1/predictions/:id/train, kept for the clients that use it.
      const fromPrediction = c.req.query("fromPrediction");
      if (fromPrediction !== undefined) return answerTrainingFromPrediction(c, deps, fromPrediction);
      const account = c.get("account");
      // Refused before the upload is read when already over; create() decides atomically.
      if ((await models.countInProgress(account.id)) >= deps.maxConcurrentTrainings)
        throw tooManyTrainings(deps.maxConcurrentTrainings);
      const upload = await openUpload(
        c.req.raw,
        deps.maxTrainingBytes,
        (deps.uploadIdleSeconds ?? DEFAULT_UPLOAD_IDLE_SECONDS) * 1000,
      );
      const { params, head, labelColumn } = await checkTrainingUpload(c.req.query(), upload, deps.maxColumns);
      const created = await submitTraining(deps, {
        accountId: account.id,
        name: params.name,
        labelColumn,
        positiveValue: params.positive ?? null,
        filename: upload.filename,
        body: Readable.from(replay(head)),
      });
      c.header("Location", `/v1/models/${created.id}`);
      return c.json(toModelJson(created, await models.defaultModelId(account.id)), 202);
    }),
  );

  app.get(
    "/",
    documented(LIST_MODELS, async (c) => {
      const account = c.get("account");
      const query = parseOr400(ListQuerySchema, c.req.query(), "query parameter");
      const [page, defaultId] = await Promise.all([
        models.list(account.id, { limit: query.limit, cursor: query.cursor ?? null }),
        models.defaultModelId(account.id),
      ]);
      return c.json({ items: page.items.map((m) => toModelJson(m, defaultId)), nextCursor: page.nextCursor });
    }),
  );

  app.get(
    "/:id",
    documented(GET_MODEL, async (c) => {
      const account = c.get("account");
      const model = await ownedModelParam(deps, account.id, c.req.param("id"));
      return c.json(toModelJson(model, await models.defaultModelId(account.id)));
    }),
  );

  app.get(
    "/:id/card",
    documented(MODEL_CARD, async (c) => {
      const model = await ownedModelParam(deps, c.get("account").id, c.req.param("id"));
      if (!model.card) throw modelNotReady(model, "its card exists once it is READY");
      return c.json(model.card);
    }),
  );

  app.get(
    "/:id/download",
    documented(DOWNLOAD_MODEL, async (c) => {
      const model = await ownedModelParam(deps, c.get("account").id, c.req.param("id"));
      if (model.status !== "READY" || !model.onnxKey) throw modelNotReady(model, "there is nothing to download yet");
      const filename = `${modelLabel(model)}.onnx`;
      const signed = await store.presignGet(model.onnxKey, { expiresInSeconds: deps.downloadUrlTtlSeconds, filename });
      if (v.parse(DownloadQuerySchema, c.req.query()).redirect === "1") return c.redirect(signed.url, 302);
      return c.json({ url: signed.url, expiresAt: signed.expiresAt.toISOString(), filename });
    }),
  );

  app.get(
    "/:id/settings",
    documented(MODEL_SETTINGS, async (c) => {
      const account = c.get("account");
      const model = await ownedModelParam(deps, account.id, c.req.param("id"));
      return c.json({ modelId: model.id, ...(await models.settings(account.id, model.id)) });
    }),
  );

  /** The account's settings of the model: `{ "actionable": ["Contract", "PaymentMethod"] }`, card input names (matched ignoring case). */
  app.put(
    "/:id/settings",
    documented(SAVE_MODEL_SETTINGS, async (c) => {
      const account = c.get("account");
      const model = await ownedModelParam(deps, account.id, c.req.param("id"));
      const body = parseOr400(ModelSettingsSchema, await jsonBody(c.req.raw), "body field");
      const actionable = cardInputNames(model, body.actionable);
      return c.json({ modelId: model.id, ...(await models.saveSettings(account.id, model.id, { actionable })) });
    }),
  );

  app.delete(
    "/:id",
    documented(DELETE_MODEL, async (c) => {
      const account = c.get("account");
      const deleted = await deleteModel(deps, account.id, await ownedModelParam(deps, account.id, c.req.param("id")));
      return c.json({ ...toModelJson(deleted, BUILTIN_MODEL_ID), isDefault: false, deleted: true });
    }),
  );

  app.route("/", modelChartRoutes(deps));
  app.route("/", modelOutcomeRoutes(deps));
  return app;
}

/**
 * The names as the card writes its inputs (exactly, else ignoring case), each once; an unknown name
 * answers 400 `request.invalid_actionable` naming the model's inputs (as `score --actionable`).
 */
function cardInputNames(model: Model, names: readonly string[]): string[] {
  const card = model.card;
  if (!card || !("format" in card)) throw modelNotReady(model, "its columns are known once it is READY");
  const inputs = card.inputs.map((i) => i.name);
  const resolved = names.map((name) => {
    const found = inputs.includes(name) ? name : inputs.find((i) => i.toLowerCase() === name.toLowerCase());
    if (found === undefined)
      throw new RetainwiseError(
        "request.invalid_actionable",
        `"${name}" is not an input of the model ${modelLabel(model)}, so it cannot be actionable. The model's inputs: ${inputs.join(", ")}.`,
      );
    return found;
  });
  return [...new Set(resolved)];
}

/**
 * The parameters (query string, or multipart fields before the file) and the label column, checked
 * against the file's header before anything is stored: a typo answers 400 at once. On any problem
 * the upload is dropped.
 */
async function checkTrainingUpload(
  query: Record<string, string>,
  upload: IncomingUpload,
  maxColumns: number | undefined,
): Promise<{ params: v.InferOutput<typeof TrainQuerySchema>; head: Head; labelColumn: string }> {
  try {
    // Listed up front so a missing one is reported with its own message ("is required: …").
    const params = parseOr400(
      TrainQuerySchema,
      { label: undefined, name: undefined, ...query, ...upload.fields },
      "parameter",
    );
    const head = await readHead(upload.body);
    const headers = headerRow(head);
    checkColumnCount(headers, maxColumns);
    return { params, head, labelColumn: findLabelColumn(headers, params.label) };
  } catch (error) {
    upload.body.destroy();
    throw error;
  }
}
