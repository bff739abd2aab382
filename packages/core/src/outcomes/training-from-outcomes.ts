import type { Readable } from "node:stream";
import { CUSTOMER_ID, isUnreadable, openCsv, resolveColumns } from "../csv/index.ts";
import { RetainwiseError } from "../errors.ts";
import { MIN_OUTCOMES_PER_CLASS } from "./performance.ts";

/** The label column of a training table built from outcomes; `yes` churned, `no` stayed. */
export const OUTCOME_LABEL = "churned";

/**
 * Refuses before anything is stored when the prediction's customers have too few outcomes of
 * either kind to train on (the same minimum as for measuring).
 */
export function assertEnoughToTrain(labels: ReadonlyMap<string, boolean>): void {
  const churned = [...labels.values()].filter(Boolean).length;
  const stayed = labels.size - churned;
  if (Math.min(churned, stayed) < MIN_OUTCOMES_PER_CLASS) {
    throw new RetainwiseError(
      "model.not_enough_outcomes",
      `Only ${labels.size} customers of this prediction have an outcome observed after it (${churned} churned, ${stayed} stayed); training needs at least ${MIN_OUTCOMES_PER_CLASS} of each. Upload more outcomes (POST /v1/outcomes) and try again.`,
    );
  }
}

/**
 * A prediction's input rows joined with their outcomes, as CSV text: the input's header plus
 * `churned`, and only rows whose customer has a label (`labels`: customer id -> churned). Streams;
 * memory holds the labels, not the file. Cells are written back as read (no spreadsheet escaping:
 * this file is for the trainer, and `-5` must stay a number).
 *
 * @example
 *   const body = Readable.from(labeledTrainingRows(await store.get(prediction.inputKey), labels));
 */
export async function* labeledTrainingRows(
  input: Readable,
  labels: ReadonlyMap<string, boolean>,
): AsyncGenerator<string> {
  const source = await openCsv(input);
  if (source.headers.some((h) => h === OUTCOME_LABEL)) {
    throw new RetainwiseError(
      "model.label_clash",
      `The prediction's file already has a column named ${OUTCOME_LABEL}; rename it and score the file again before training from outcomes.`,
    );
  }
  const id = resolveColumns(source.headers, [CUSTOMER_ID]).get(CUSTOMER_ID)!;
  yield line([...source.headers, OUTCOME_LABEL]);
  for (;;) {
    const next = await source.records.next();
    if (next.done) return;
    const record = next.value;
    if (isUnreadable(record) || record.length !== source.headers.length) continue;
    const churned = labels.get(record[id]!.trim());
    if (churned !== undefined) yield line([...record, churned ? "yes" : "no"]);
  }
}

function line(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(",") + "\n";
}
