/**
 * Sees every scored batch at the one place where its model inputs and outputs are both at hand
 * (`RecordScorer` in pipeline.ts), on whichever thread scores it. An observer only reads: what is
 * written to the scored file never depends on it, so scoring stays deterministic. Drift counting
 * (outcomes/drift.ts, `createBinCounter`) is one.
 *
 * @example
 *   const drift = createBinCounter(card.inputs);
 *   await scoreCsv({ input, output, model, drift }); // drift.state(): counts per bin of every scored row
 */
export interface BatchObserver {
  observe(batch: ObservedBatch): void;
}

export interface ObservedBatch {
  /** A term-tables model's feature codes of the scored rows, row-major [rows, inputs] (docs/MODEL-FORMAT.md); undefined for other models. */
  features: Float32Array | undefined;
  /** Rows the model scored (the batch's valid records). */
  rows: number;
  probabilities: ArrayLike<number>;
}
