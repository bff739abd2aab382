/**
 * The suite's markdown: one row per table and a summary line. The bar (issues 10 and 21): our AUC
 * >= the best peer's and our Brier <= that peer's Brier + 0.003. A tie is |ΔAUC| < 0.002.
 */
export const PEERS = ["HistGradientBoosting", "LogisticRegression", "XGBoost"];
const BRIER_SLACK = 0.003;
const TIE = 0.002;

/** The best peer by AUC and how ours stands against it; undefined when either side is missing. */
export function verdict(result) {
  if (!result.peers || !result.ours) return undefined;
  const best = PEERS.map((name) => ({ name, ...result.peers[name] })).reduce((a, b) => (b.auc > a.auc ? b : a));
  const gap = result.ours.auc - best.auc;
  return {
    best,
    gap,
    met: gap >= 0 && result.ours.brier <= best.brier + BRIER_SLACK,
    outcome: gap >= TIE ? "win" : gap <= -TIE ? "loss" : "tie",
  };
}

export function markdown(results) {
  const cell = (m, error) =>
    m
      ? `${m.auc.toFixed(4)} / ${m.brier.toFixed(4)}`
      : error
        ? `error: ${error.replaceAll("|", "\\|").replaceAll("\n", " ")}`
        : "–";
  const lines = [
    "| table (rows x cols, positives) | HGB AUC / Brier | LR | XGBoost | ours | ours − best peer AUC | bar met? | fit s ours / HGB |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of results) {
    const shape = r.peers ? `${r.rows} x ${r.inputs}, ${(100 * r.positiveRate).toFixed(1)}%` : "";
    const v = verdict(r);
    const gap = v ? `${v.gap >= 0 ? "+" : "−"}${Math.abs(v.gap).toFixed(4)} (${abbreviation(v.best.name)})` : "–";
    const seconds = `${r.ours?.fitSeconds ?? "–"} / ${r.peers?.HistGradientBoosting.fit_seconds ?? "–"}`;
    const row = [
      `${r.name} (${shape})`,
      cell(r.peers?.HistGradientBoosting, r.errors?.peers),
      cell(r.peers?.LogisticRegression),
      cell(r.peers?.XGBoost),
      cell(r.ours, r.errors?.ours),
      gap,
      v ? (v.met ? "met" : "missed") : "–",
      seconds,
    ];
    lines.push(`| ${row.join(" | ")} |`);
  }
  lines.push("", summary(results));
  return lines.join("\n");
}

function summary(results) {
  const judged = results.map(verdict).filter(Boolean);
  const count = (outcome) => judged.filter((v) => v.outcome === outcome).length;
  const meanGap = judged.reduce((s, v) => s + v.gap, 0) / Math.max(judged.length, 1);
  return (
    `${judged.length} of ${results.length} tables compared: ${count("win")} wins / ${count("tie")} ties / ${count("loss")} losses vs the best peer; ` +
    `mean AUC gap ${meanGap >= 0 ? "+" : "−"}${Math.abs(meanGap).toFixed(4)}; bar met on ${judged.filter((v) => v.met).length} of ${judged.length}.`
  );
}

function abbreviation(peer) {
  return { HistGradientBoosting: "HGB", LogisticRegression: "LR", XGBoost: "XGB" }[peer];
}
