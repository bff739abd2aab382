import { Readable } from "node:stream";
import { isRetainwiseError, RetainwiseError } from "@retainwise/core/errors";
import { checkColumnCount, headerRow, missingColumns, readHeader, replay, resolveColumns } from "@retainwise/core/csv";
import { modelLabel, type Model } from "@retainwise/core/models";
import type { ModelCard } from "@retainwise/core/model/card";
import { customerIdColumn } from "@retainwise/core/scoring/id-column";
import type { ApiDeps } from "./env.ts";
import { readyModels } from "@retainwise/core/models";

/** A model of the account whose inputs a refused file has: what `details.matchingModels` lists. */
export interface MatchingModel {
  id: string;
  model: string;
}

export interface ScoringModels {
  model: Model;
  challenger: Model | null;
  /** `?idColumn=`: the file must have it (as the worker would require). */
  idColumn?: string | undefined;
}

/**
 * Reads the header of a file to score and checks it against the models before anything is stored,
 * so a file the model cannot read is answered 400 at once rather than accepted and FAILED a second
 * later. The refusal (`csv.missing_columns`) names the missing columns and, in its message and in
 * `details.matchingModels`, the account's READY models whose inputs the file does have: the UI
 * offers "score with bank-v1 instead" from them. Only the bytes up to the header row are held
 * (at most 64 KiB); the returned stream replays them and carries on with the rest of `body`. On any problem `body` is destroyed.
 *
 * A model without a card (nothing says what it reads) is left to the worker, as before.
 *
 * @example
 *   const { body, columns } = await checkScoringHeader(deps, account.id, upload.body, { model, challenger: null });
 *   // -> the same bytes and the header's names, or 400 "The model telco-v1 cannot score this file: … Your model bank-v1 reads it: …"
 */
export async function checkScoringHeader(
  deps: Pick<ApiDeps, "models" | "maxColumns">,
  accountId: string,
  body: Readable,
  models: ScoringModels,
): Promise<{ body: Readable; columns: string[] }> {
  try {
    const head = await readHeader(body);
    const columns = headerRow(head);
    checkColumnCount(columns, deps.maxColumns);
    await checkScoringColumns(deps, accountId, columns, models);
    return { body: Readable.from(replay(head)), columns };
  } catch (error) {
    body.destroy();
    throw error;
  }
}

/** The checks of `checkScoringHeader` on a header already read: a retry's, kept from its upload. */
export async function checkScoringColumns(
  deps: Pick<ApiDeps, "models">,
  accountId: string,
  headers: string[],
  models: ScoringModels,
): Promise<void> {
  await checkModel(deps, accountId, headers, models.model, "model");
  if (models.challenger) await checkModel(deps, accountId, headers, models.challenger, "challenger");
  if (models.idColumn !== undefined) customerIdColumn(headers, models.model.card ?? undefined, models.idColumn);
}

/** The raw columns a card's model reads (derived inputs are computed from them). */
export function cardColumns(card: ModelCard): string[] {
  return card.inputs.map((input) => input.name);
}

async function checkModel(
  deps: Pick<ApiDeps, "models">,
  accountId: string,
  headers: string[],
  model: Model,
  role: "model" | "challenger",
): Promise<void> {
  if (!model.card) return;
  try {
    resolveColumns(headers, cardColumns(model.card));
  } catch (error) {
    if (!(isRetainwiseError(error) && error.code === "csv.missing_columns")) throw error;
    const matching = await modelsReading(deps, accountId, headers, model.id);
    const instead =
      matching.length > 0
        ? ` ${matching.length === 1 ? "Your model" : "Your models"} ${matching.map((m) => m.model).join(", ")} ${matching.length === 1 ? "reads" : "read"} every column it needs: score with ?${role}=${matching[0]!.id}.`
        : " None of your models reads this file: add the missing columns, or train a model on files like it (POST /v1/models).";
    throw new RetainwiseError(
      "csv.missing_columns",
      `The ${role} ${modelLabel(model)} cannot score this file. ${error.message}${instead}`,
      {
        details: {
          model: { id: model.id, model: modelLabel(model) },
          missingColumns: missingColumns(headers, cardColumns(model.card)),
          matchingModels: matching,
        },
      },
    );
  }
}

/** The account's READY models (the built-in one included) other than `except` whose every input the file has, newest first. */
async function modelsReading(
  deps: Pick<ApiDeps, "models">,
  accountId: string,
  headers: string[],
  except: string,
): Promise<MatchingModel[]> {
  return (await readyModels(deps.models, accountId))
    .filter((m) => m.id !== except && missingColumns(headers, cardColumns(m.card)).length === 0)
    .map((m) => ({ id: m.id, model: modelLabel(m) }));
}
