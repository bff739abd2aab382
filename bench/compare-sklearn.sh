#!/bin/sh
# The bar of issue 10 on the three shared dev tables: now one list of the benchmark suite
# (bench/suite/run.mjs --shared), same peers, split and report.
# Usage: bench/compare-sklearn.sh [data-dir]   (default ../shared/data, or ../../shared/data from a worktree)
set -eu
cd "$(dirname "$0")/.."
TABLES=telco-churn,mlc_churn,attrition exec node bench/suite/run.mjs --shared "$@"
