import { isUnreadable, openCsv } from "../csv/index.ts";
import type { Readable } from "node:stream";
import type { ScoredCustomer } from "./outcome.ts";
import { SCORE_BATCH_ROWS } from "./score-index.ts";

/**
 * The scores of a prediction completed before scoring wrote a scores file (migration 0011 queued an
 * `index-scores` job without `scoresKey` for each): read back from the customer-facing result CSV,
 * undoing its spreadsheet escaping. Those results expire with the stage's retention (infra/storage.ts,
 * `retentionDays`); once every pre-registry result has, no such job can start and this file goes.
 */
export async function* readLegacyResultScores(input: Readable): AsyncGenerator<ScoredCustomer[]> {
  const source = await openCsv(input);
  const id = source.headers.indexOf("customer_id");
  const probability = source.headers.indexOf("churn_probability");
  // -1 (no such column: no challenger) reads as undefined below, stored as null.
  const challenger = source.headers.indexOf("challenger_probability");
  let batch: ScoredCustomer[] = [];
  for (;;) {
    const next = await source.records.next();
    if (next.done) break;
    const record = next.value;
    if (isUnreadable(record)) continue;
    const customerId = unquoteFormula(record[id]?.trim() ?? "");
    const p = Number.parseFloat(record[probability] ?? "");
    if (customerId === "" || !Number.isFinite(p)) continue;
    const c = Number.parseFloat(record[challenger] ?? "");
    batch.push({ customerId, probability: p, challengerProbability: Number.isFinite(c) ? c : null });
    if (batch.length >= SCORE_BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Result files write a text cell that a spreadsheet would run as a formula with a leading `'`; the id is what follows. */
function unquoteFormula(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
