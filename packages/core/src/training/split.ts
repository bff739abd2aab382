/**
 * Seeded, stratified row splits. Everything random in training flows from one integer seed through
 * `mulberry32`, so the same file and seed give the same split, folds, coefficients and ONNX bytes.
 * bench/suite/peers.py applies the fixed md5 split of issue 10 itself; this one is the trainer's own.
 */

/** A small, well-mixed 32-bit PRNG (public-domain mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Stratified train/held-out split: returns row indexes (ascending) of each part. */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  heldOutShare: number,
  seed: number,
): { train: number[]; heldOut: number[] } {
  const random = mulberry32(seed);
  const train: number[] = [];
  const heldOut: number[] = [];
  for (const cls of [0, 1]) {
    const rows = Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === cls);
    const take = Math.round(rows.length * heldOutShare);
    shuffled(rows, random).forEach((row, k) => {
      (k < take ? heldOut : train).push(row);
    });
  }
  return { train: train.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
}
