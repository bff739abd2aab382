#!/bin/sh
# Training speed and peak RSS at 10k and 100k rows x 25 columns (bench/train-speed.ts: the 14-column
# synthetic table and 11 columns the label does not follow), one process per size. Prints one JSON
# line per size. Usage: [THREADS=n] [COLUMNS=n] bench/train-speed.sh [rows...]
# (THREADS: the bags' worker threads, default the machine's cores, at most 4; 1: the main thread alone)
set -eu
cd "$(dirname "$0")/../packages/cli"
sizes="${*:-10000 100000}"
for rows in $sizes; do
  node --import tsx ../../bench/train-speed.ts "$rows" "${THREADS:-0}" "${COLUMNS:-25}"
done
