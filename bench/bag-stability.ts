/**
 * Why 14 bags (general grounds, not the bench tables): on seeded synthetic churn tables
 * (training/boost/synthetic-table.ts), fits the same rows with two seeds for each bag count and
 * prints how far apart the two models' log-odds are (RMS over every row: the variance bagging is
 * there to remove) with each fit's held-out AUC / Brier and wall seconds.
 *
 * Run:  (cd packages/cli && node --import tsx ../../bench/bag-stability.ts)   (about 8 fits of 5,000 rows)
 */
import { fileURLToPath } from "node:url";
import { scoreTermModel } from "../packages/core/src/model/term-scoring.ts";
import { fitTermModel, tableCodes } from "../packages/core/src/training/boost/index.ts";
import { syntheticChurnTable } from "../packages/core/src/training/boost/synthetic-table.ts";
const workerEntry = fileURLToPath(new URL("../packages/cli/bin/retainwise.mjs", import.meta.url));
for (const dataSeed of [5, 6]) {
  const table = syntheticChurnTable({ rows: 5000, seed: dataSeed });
  const all = Array.from({ length: table.rows }, (_, r) => r);
  for (const bags of [8, 14]) {
    const logits: Float64Array[] = [];
    const metrics: string[] = [];
    for (const seed of [42, 43]) {
      const t = performance.now();
      const r = await fitTermModel(table, { bags, seed, refitMaxRows: Infinity, threads: 2, workerEntry });
      logits.push(scoreTermModel(r.model, tableCodes(r.model, table, all), all.length).logOdds as Float64Array);
      metrics.push(
        `seed ${seed}: auc ${r.heldOut.auc.toFixed(4)} brier ${r.heldOut.brier.toFixed(4)} ${((performance.now() - t) / 1000).toFixed(1)}s`,
      );
    }
    let sq = 0;
    for (let k = 0; k < all.length; k++) sq += (logits[0]![k]! - logits[1]![k]!) ** 2;
    console.log(
      JSON.stringify({ dataSeed, bags, rmsLogOddsSeedToSeed: Number(Math.sqrt(sq / all.length).toFixed(4)), metrics }),
    );
  }
}
