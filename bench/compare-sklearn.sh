#!/bin/sh
# Trains RetainWise's model on the fixture (writing the held-out split), then fits scikit-learn's
# LogisticRegression and HistGradientBoostingClassifier on the same training rows and compares
# all of them on the same held-out rows. Needs Debian's python3-sklearn and python3-pandas:
#   apt-get install -y python3-sklearn python3-pandas
# Usage: bench/compare-sklearn.sh [labeled.csv] [seed]
set -eu
cd "$(dirname "$0")/.."
data="${1:-tests/fixtures/telco-churn.csv}"
seed="${2:-42}"
mkdir -p bench/out
start=$(date +%s.%N)
node packages/cli/bin/retainwise.mjs train "$data" --label Churn --seed "$seed" \
  -o bench/out/compare-model.onnx --version bench --split-out bench/out/split.csv 2>bench/out/train-log.jsonl
end=$(date +%s.%N)
echo "retainwise train (whole command, incl. Node start-up): $(echo "$end - $start" | bc) s"
/usr/bin/python3 bench/compare-sklearn.py "$data" bench/out/split.csv --label Churn --seed "$seed" | tee bench/out/compare-sklearn.txt
