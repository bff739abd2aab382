import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import * as v from "valibot";
import { customerIdProblem } from "../bounded-text.ts";
import { RetainwiseError } from "../errors.ts";
import type { JobClaim, JobRow, JobRows } from "../jobs/job-rows.ts";
import { TERMINAL_STATUSES, type PredictionRepository, type PredictionStatus } from "../predictions/prediction.ts";
import type { JobSpec } from "../jobs/registry.ts";
import type { JobContext } from "../jobs/run-job.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { readLegacyResultScores } from "./legacy-scores.ts";
import type { OutcomeRepository, ScoredCustomer } from "./outcome.ts";

/** Rows per insert when copying a prediction's scores into the database. */
export const SCORE_BATCH_ROWS = 2000;

/**
 * The `index-scores` job of one completed prediction (same id): copies its per-customer
 * probabilities into the database, where outcomes are joined with them.
 *
 * Why copy: joining by streaming a result on every performance request would re-read every row each
 * time (trends and "matched" counts would read every result of the account), and results expire
 * with the stage's retention while outcomes often arrive later. Why a job of its own: the scoring
 * job's completion queues it in the same statement (PredictionRepository.complete), so every
 * prediction is copied once, with claim, heartbeat, retry and dead-lettering like every kind, and
 * off both the scoring hot path and the API's requests (which only wait for a pending copy:
 * `waitForScoreCopies`). The cost is one read of the scores file and a row of (prediction,
 * customer, probability) per scored customer.
 */
export interface ScoreIndexing extends JobRow {
  accountId: string;
  status: PredictionStatus;
  /** The scores file the scoring job wrote beside its result (`scoresKeyFor`); null: scored before such files, read the result CSV. */
  scoresKey: string | null;
  rowsIndexed: number;
}

export interface ScoreIndexProgress {
  rows: number;
}

/** Persistence of the copies (Postgres). Rows are created by the scoring job's completion, never by a request. */
export interface ScoreIndexRepository extends JobRows<ScoreIndexing, ScoreIndexProgress> {
  complete(id: string, attempt: number, rows: number): Promise<boolean>;
}

export interface IndexScoresDeps {
  scoreIndexes: ScoreIndexRepository;
  predictions: Pick<PredictionRepository, "getById">;
  outcomes: Pick<OutcomeRepository, "indexScores">;
  store: ObjectStore;
}

/** The `index-scores` kind: the prediction's scores file (or, scored before those, its result CSV) -> prediction_scores -> COMPLETED. */
export function indexScoresJob(deps: IndexScoresDeps): JobSpec<ScoreIndexing, ScoreIndexProgress> {
  return {
    kind: "index-scores",
    rows: deps.scoreIndexes,
    finished: TERMINAL_STATUSES,
    work: { initialProgress: { rows: 0 }, run: (claim, context) => indexScores(claim, context, deps) },
  };
}

async function indexScores(
  { job, attempt }: JobClaim<ScoreIndexing>,
  context: JobContext<ScoreIndexProgress>,
  deps: IndexScoresDeps,
): Promise<boolean> {
  const source = await scoresOf(job, deps, context.signal);
  let copied = 0;
  let skipped = 0;
  // A file scored before ids were bounded may hold one the database cannot store: that customer is
  // left out (no outcome can match it: outcomes refuse the same ids), not the whole prediction.
  const storable = async function* () {
    for await (const batch of source) {
      const kept = batch.filter((score) => customerIdProblem(score.customerId) === null);
      skipped += batch.length - kept.length;
      copied += kept.length;
      context.progress({ rows: copied });
      yield kept;
    }
  };
  const rows = await deps.outcomes.indexScores(job.id, storable());
  const completed = await deps.scoreIndexes.complete(job.id, attempt, rows);
  if (completed)
    context.log.info("prediction scores indexed", { attempt, rows, skipped, legacy: job.scoresKey === null });
  return completed;
}

/**
 * The batches to copy. A file already expired (the stage's retention) reads as none: the prediction
 * then shows "0 labeled" instead of failing every request.
 */
async function scoresOf(
  job: ScoreIndexing,
  deps: IndexScoresDeps,
  signal: AbortSignal,
): Promise<AsyncIterable<ScoredCustomer[]>> {
  const key = job.scoresKey ?? (await deps.predictions.getById(job.id))?.outputKey;
  if (!key || !(await deps.store.head(key))) return noScores();
  const input = await deps.store.get(key, { signal });
  return job.scoresKey === null ? readLegacyResultScores(input) : readScoresFile(input);
}

async function* noScores(): AsyncGenerator<ScoredCustomer[]> {}

/** One line of a scores file (`ScoreCsvOptions.scores`): `["<customer_id>", probability, challenger probability or null]`. */
const ScoreLineSchema = v.tuple([
  v.pipe(v.string(), v.minLength(1)),
  v.pipe(v.number(), v.finite()),
  v.nullable(v.pipe(v.number(), v.finite())),
]);

/** A scores file's lines as batches. Our own file failing to parse is a bug or a torn object: internal, so the job is retried and then fails. */
export async function* readScoresFile(input: Readable): AsyncGenerator<ScoredCustomer[]> {
  let batch: ScoredCustomer[] = [];
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text === "") continue;
    const [customerId, probability, challengerProbability] = parseScoreLine(text, line);
    batch.push({ customerId, probability, challengerProbability });
    if (batch.length >= SCORE_BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function parseScoreLine(text: string, line: number): v.InferOutput<typeof ScoreLineSchema> {
  try {
    return v.parse(ScoreLineSchema, JSON.parse(text));
  } catch (error) {
    throw new RetainwiseError(
      "scores.unreadable",
      `Line ${line} of the scores file is not [customer_id, probability, challenger probability].`,
      { cause: error },
    );
  }
}

/** How long a request waits for the copies it needs (`waitForScoreCopies`): a copy of 100k scores takes about a second. */
export const SCORE_COPY_WAIT_MS = 10_000;
const SCORE_COPY_POLL_MS = 100;

/**
 * Waits until the account's score copies of these predictions (all of its predictions when `ids` is
 * absent) are no longer queued or running, for at most `timeoutMs`: a prediction that has just
 * completed then answers with its scores, as when the request copied them itself. A copy that
 * failed an attempt and waits for its retry is not waited for (`pendingScoreCopies`): one broken
 * prediction must not slow every request of its account. Past the deadline (workers down) it
 * answers with what is copied; it never reads the store.
 */
export async function waitForScoreCopies(
  outcomes: Pick<OutcomeRepository, "pendingScoreCopies">,
  accountId: string,
  ids?: readonly string[],
  timeoutMs = SCORE_COPY_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await outcomes.pendingScoreCopies(accountId, ids)) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SCORE_COPY_POLL_MS));
  }
}
