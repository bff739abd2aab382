import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { modelLabel } from "@retainwise/core/models";
import { readyModels } from "@retainwise/core/models";
import {
  acceptedOutcomeColumns,
  outcomeVocabulary,
  readOutcomes,
  waitForScoreCopies,
  type OutcomeVocabulary,
} from "@retainwise/core/outcomes";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented } from "../openapi/route-docs.ts";
import { openUpload } from "../upload.ts";
import { OUTCOME_COUNTS, UPLOAD_OUTCOMES } from "./outcome-docs.ts";
import type { RouteGuards } from "./v1.ts";

/**
 * `/v1/outcomes`: upload what happened to customers (`POST`, a CSV streamed row by row) and how
 * many are known (`GET`). What they say about a prediction or a model is answered under
 * `/v1/predictions/:id` and `/v1/models/:id` (prediction-outcomes.ts, model-outcomes.ts).
 */
export function outcomeRoutes(deps: ApiDeps, guards: RouteGuards): Hono<ApiEnv> {
  const { outcomes } = deps;
  const app = new Hono<ApiEnv>();

  app.post(
    "/",
    guards.idempotent,
    guards.upload,
    documented(UPLOAD_OUTCOMES, async (c) => {
      const account = c.get("account");
      const upload = await openUpload(c.req.raw, deps.maxUploadBytes);
      const uploadId = randomUUID();
      try {
        const read = await readOutcomes(upload.body, (batch) => outcomes.upsert(account.id, uploadId, batch), {
          vocabularies: await vocabularies(account.id),
        });
        await waitForScoreCopies(outcomes, account.id);
        const rowsMatched = await outcomes.countMatched(account.id, uploadId);
        deps.logger.info("outcomes received", {
          requestId: c.get("requestId"),
          rows: read.rowsRead,
          accepted: read.rowsAccepted,
          matched: rowsMatched,
        });
        return c.json(
          {
            uploadId,
            rowsRead: read.rowsRead,
            rowsAccepted: read.rowsAccepted,
            rowsRejected: read.rowsRejected,
            rowsMatched,
            rowErrors: read.rowErrors,
            matched: read.matched,
          },
          200,
        );
      } finally {
        upload.body.destroy();
      }
    }),
  );

  app.get(
    "/",
    documented(OUTCOME_COUNTS, async (c) => {
      const accountId = c.get("account").id;
      const [counts, words] = await Promise.all([outcomes.counts(accountId), vocabularies(accountId)]);
      // `accepts`: the column names an upload may use, the account's models' own included (the Outcomes page shows them).
      return c.json({
        customers: counts.customers,
        churned: counts.churned,
        lastObservedAt: counts.lastObservedAt?.toISOString() ?? null,
        accepts: acceptedOutcomeColumns(words),
      });
    }),
  );

  return app;

  /** How the account's models name outcomes: their label columns and churned values, their id columns. */
  async function vocabularies(accountId: string): Promise<OutcomeVocabulary[]> {
    return (await readyModels(deps.models, accountId)).map((m) => outcomeVocabulary(modelLabel(m), m.card));
  }
}
