import type { BagResult } from "./bag.ts";
import type { Choice } from "./boost.ts";

/** A candidate must beat at least this many standard errors (two-sided 5%). */
const SIGNIFICANT = 1.96;

/**
 * The pairs and derived sums to keep, from every bag's judging rows: a candidate is kept when the
 * rise of the log loss on taking it out, averaged over the judging rows of all bags (0 in bags
 * whose trees did not read it), exceeds `z` standard errors, `z = max(1.96, Φ⁻¹(1 − 1/m))` for `m`
 * candidates: significant on its own, and with many candidates about one pure-noise candidate at
 * most expected through (a Bonferroni-style bound). At most `maxPairs` pairs, the largest rises.
 * Returns the choice a second pass must be held to, or null when every candidate read was kept.
 */
export function judgedChoice(
  bags: readonly BagResult[],
  columns: number,
  inputs: number,
  maxPairs: number,
): Choice | null {
  const rows = bags.reduce((n, bag) => n + bag.judged.rows, 0);
  const pooled = new Map<string, { sum: number; sumSq: number }>();
  for (const bag of bags) {
    for (const rise of bag.judged.rises) {
      const into = pooled.get(rise.key) ?? { sum: 0, sumSq: 0 };
      pooled.set(rise.key, { sum: into.sum + rise.sum, sumSq: into.sumSq + rise.sumSq });
    }
  }
  if (pooled.size === 0) return null;
  const bar = Math.max(SIGNIFICANT, normalQuantile(1 - 1 / pooled.size));
  const kept = [...pooled]
    .map(([key, { sum, sumSq }]) => ({
      key,
      mean: sum / rows,
      se: Math.sqrt(Math.max(0, sumSq / rows - (sum / rows) ** 2) / rows),
    }))
    .filter((c) => c.mean > bar * c.se)
    .sort((a, b) => b.mean - a.mean || (a.key < b.key ? -1 : 1));
  const sums = new Set(kept.filter((c) => c.key.startsWith("sum:")).map((c) => Number(c.key.slice(4))));
  const disabled = Array.from({ length: inputs - columns }, (_, d) => columns + d).filter((f) => !sums.has(f));
  const pairs = kept
    .filter((c) => !c.key.startsWith("sum:") && c.key.split(",").every((f) => !disabled.includes(Number(f))))
    .slice(0, maxPairs)
    .map((c) => c.key);
  const read = [...pooled.keys()];
  const everyReadKept = read.every((key) =>
    key.startsWith("sum:") ? sums.has(Number(key.slice(4))) : pairs.includes(key),
  );
  return everyReadKept ? null : { disabled, pairs };
}

/** z with P(Z ≤ z) = q for a standard normal Z, by bisection on the complementary error function. */
export function normalQuantile(q: number): number {
  let [low, high] = [-10, 10];
  for (let step = 0; step < 100; step++) {
    const mid = (low + high) / 2;
    if (1 - 0.5 * erfc(mid / Math.SQRT2) < q) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
