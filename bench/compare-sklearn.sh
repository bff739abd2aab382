#!/bin/sh
# The bar of issue 10 on every shared table: ours (bench/compare-sklearn.ts, trained on the fixed
# split's training rows) against scikit-learn's HistGradientBoosting and LogisticRegression
# (bench/compare-sklearn.py) on the same test rows. Bar: our AUC >= the better model's AUC and our
# Brier <= that model's Brier + 0.003. Needs Debian's python3-sklearn and python3-pandas:
#   apt-get install -y python3-sklearn python3-pandas
# Usage: bench/compare-sklearn.sh [data-dir]   (default ../shared/data, or ../../shared/data from a worktree)
set -eu
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
[ -d "$data" ] || data=../../shared/data
data="$(cd "$data" && pwd)"
mkdir -p bench/out
for pair in telco-churn.csv:Churn mlc_churn.csv:churn attrition.csv:Attrition; do
  file="$data/${pair%%:*}"
  label="${pair##*:}"
  name="$(basename "$file" .csv)"
  (cd packages/cli && node --import tsx ../../bench/compare-sklearn.ts "$file" "$label" "../../bench/out/$name.ours.csv") >"bench/out/$name.ours.json"
  /usr/bin/python3 bench/compare-sklearn.py "$file" "$label" "bench/out/$name.ours.csv" >"bench/out/$name.compare.json"
done
/usr/bin/python3 - bench/out/telco-churn bench/out/mlc_churn bench/out/attrition <<'PY'
import json, sys
print("| table | HistGradientBoosting AUC / Brier | LogisticRegression AUC / Brier | RetainWise AUC / Brier | bar | fit s |")
print("| --- | --- | --- | --- | --- | --- |")
for stem in sys.argv[1:]:
    c = json.load(open(stem + ".compare.json"))
    o = json.load(open(stem + ".ours.json"))
    hgb, lr, us = c["HistGradientBoosting"], c["LogisticRegression"], c["RetainWise"]
    best = max((hgb, lr), key=lambda m: m["auc"])
    ok = us["auc"] >= best["auc"] and us["brier"] <= best["brier"] + 0.003
    cell = lambda m: f"{m['auc']:.4f} / {m['brier']:.4f}"
    print(f"| {stem.split('/')[-1]} | {cell(hgb)} | {cell(lr)} | {cell(us)} | {'met' if ok else 'missed'} | {o['fitSeconds']} |")
PY
