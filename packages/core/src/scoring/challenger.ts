import type { CsvSource, Delimiter, NumberFormat } from "../csv/index.ts";
import type { Head } from "../csv/reader.ts";
import { isRetainwiseError, RetainwiseError } from "../errors.ts";
import type { ChurnModel } from "../model/churn-model.ts";
import { Batch, headNumberFormat, planColumns, type Layout } from "./batch.ts";

/**
 * The challenger of a champion / challenger prediction: a second model scoring the very records the
 * champion read, through its own columns and coding (the two models may read different columns).
 * It only adds `challenger_probability`; the champion alone decides risk level and reasons. A row
 * the challenger cannot read (text in one of its number columns) gets a blank challenger probability.
 *
 * @example
 *   const challenger = new ChallengerScorer(planChallenger(head, source, model).layout, model, 512, ",");
 *   const cells = await challenger.score(batch.records, batch.firstRow); // one cell per record, "" when unscored
 */
export class ChallengerScorer {
  private readonly batch: Batch;

  constructor(layout: Layout, model: ChurnModel, size: number, delimiter: Delimiter) {
    this.batch = new Batch(layout, model, size, delimiter);
  }

  /** The challenger probability of each record as written (4 decimals, like the champion's), or "" for a record it could not score. */
  async score(records: readonly string[][], firstRow: number): Promise<string[]> {
    const { batch } = this;
    batch.records.length = 0;
    for (const record of records) batch.records.push(record);
    batch.fill(firstRow);
    const probabilities = batch.valid > 0 ? (await batch.score()).probabilities : undefined;
    let at = 0;
    return batch.errors.map((error) => {
      if (error !== null) return "";
      const p = probabilities![at++]!;
      return Number.isFinite(p) ? p.toFixed(4) : "";
    });
  }
}

/**
 * Where the challenger's inputs sit in the file and how the file writes its numbers (decided from
 * the head, as for the champion). A file without its columns cannot be compared: the error says
 * which model needs them.
 */
export function planChallenger(
  head: Head,
  source: Pick<CsvSource, "headers" | "delimiter">,
  model: ChurnModel,
): { layout: Layout; numberFormat: NumberFormat } {
  try {
    const numberFormat = headNumberFormat(head, source, model);
    return { layout: planColumns(source.headers, model, numberFormat), numberFormat };
  } catch (error) {
    throw asChallengers(error, model);
  }
}

/** The challenger's layout in a thread, with the number format the main thread decided. */
export function challengerLayout(headers: string[], model: ChurnModel, numberFormat: NumberFormat): Layout {
  try {
    return planColumns(headers, model, numberFormat);
  } catch (error) {
    throw asChallengers(error, model);
  }
}

function asChallengers(error: unknown, model: ChurnModel): unknown {
  if (!isRetainwiseError(error)) return error;
  return new RetainwiseError(
    error.code,
    `The challenger model ${model.version} cannot score this file: ${error.message}`,
    { cause: error },
  );
}
