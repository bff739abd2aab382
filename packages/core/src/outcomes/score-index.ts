import { isUnreadable, openCsv } from "../csv/index.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { OutcomeRepository, ScoredCustomer, ScoredPrediction } from "./outcome.ts";

/** Rows per insert when copying a result's scores into the database. */
const SCORE_BATCH_ROWS = 2000;

/**
 * Makes predictions' per-customer probabilities joinable with outcomes by copying them from each
 * result CSV into the database, once per prediction, the first time outcomes are joined with it.
 *
 * Why copy, and why lazily: joining by streaming the result CSV on every performance request would
 * re-read every row each time (and the trends and "matched" counts would read every result of the
 * account); writing the rows from the worker as it scores would put a database write in the
 * scoring hot path for every prediction, most of which never get outcomes. Copying on first use
 * costs one read of the result and ~40 bytes of table per row, after which every join is SQL.
 * The price: the first performance request (or outcome upload) after a large prediction waits for
 * its copy.
 */
export async function indexPendingScores(deps: { store: ObjectStore; outcomes: OutcomeRepository }, accountId: string, ids?: readonly string[]): Promise<void> {
  for (const prediction of await deps.outcomes.unindexed(accountId, ids)) {
    await deps.outcomes.indexScores(prediction.id, readScores(deps.store, prediction));
  }
}

/** A result CSV's scored rows (those with a probability), in batches. */
async function* readScores(store: ObjectStore, prediction: ScoredPrediction): AsyncGenerator<ScoredCustomer[]> {
  const source = await openCsv(await store.get(prediction.outputKey));
  const id = source.headers.indexOf("customer_id");
  const probability = source.headers.indexOf("churn_probability");
  let batch: ScoredCustomer[] = [];
  for (;;) {
    const next = await source.records.next();
    if (next.done) break;
    const record = next.value;
    if (isUnreadable(record)) continue;
    const customerId = unquoteFormula(record[id]?.trim() ?? "");
    const p = Number.parseFloat(record[probability] ?? "");
    if (customerId === "" || !Number.isFinite(p)) continue;
    batch.push({ customerId, probability: p });
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
