import { isUnreadable, openCsv } from "../csv/index.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { OutcomeRepository, ScoredCustomer, ScoredPrediction } from "./outcome.ts";

/** Rows per insert when copying a result's scores into the database. */
const SCORE_BATCH_ROWS = 2000;

/**
 * Makes predictions' per-customer probabilities joinable with outcomes by copying them from each
 * result CSV into the database, once per prediction.
 *
 * Why copy: joining by streaming the result CSV on every performance request would re-read every
 * row each time (and trends and "matched" counts would read every result of the account), and the
 * result files expire with the stage's retention while outcomes often arrive later. Why not from
 * the scoring loop: that would put a database write in the hot path of every prediction, most of
 * which never get outcomes. So the copy happens after scoring, for accounts that upload outcomes:
 * the worker's indexer sweeps new completed predictions of those accounts (`indexScoresSweep`), and
 * a request that needs a prediction not yet copied copies it first (`indexPendingScores`). The cost
 * is one read of the result and a row of (prediction, customer, probability) per scored customer.
 */
export async function indexPendingScores(deps: IndexDeps, accountId: string, ids?: readonly string[]): Promise<void> {
  for (const prediction of await deps.outcomes.unindexed({ accountId, ...(ids ? { ids } : {}) })) await indexOne(deps, prediction);
}

/** One sweep of the worker's indexer: up to `limit` predictions of accounts that upload outcomes. Returns how many were copied. */
export async function indexScoresSweep(deps: IndexDeps, limit: number): Promise<number> {
  const pending = await deps.outcomes.unindexed({ limit });
  for (const prediction of pending) await indexOne(deps, prediction);
  return pending.length;
}

interface IndexDeps {
  store: ObjectStore;
  outcomes: OutcomeRepository;
}

async function indexOne(deps: IndexDeps, prediction: ScoredPrediction): Promise<void> {
  // A result already expired (the stage's retention) cannot be copied: recorded as empty, so the
  // prediction reads "0 labeled" instead of failing every request.
  const exists = await deps.store.head(prediction.outputKey);
  await deps.outcomes.indexScores(prediction.id, exists ? readScores(deps.store, prediction) : noScores());
}

async function* noScores(): AsyncGenerator<ScoredCustomer[]> {}

/** A result CSV's scored rows (those with a probability), in batches. */
async function* readScores(store: ObjectStore, prediction: ScoredPrediction): AsyncGenerator<ScoredCustomer[]> {
  const source = await openCsv(await store.get(prediction.outputKey));
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
