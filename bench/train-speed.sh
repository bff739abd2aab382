#!/bin/sh
# Training speed and peak RSS at 10k and 100k rows x 14 columns (bench/train-speed.ts), one
# process per size. Prints one JSON line per size. Usage: [THREADS=n] bench/train-speed.sh [rows...]
# (THREADS: the bags' worker threads, default the machine's cores, at most 4; 1: the main thread alone)
set -eu
cd "$(dirname "$0")/../packages/cli"
sizes="${*:-10000 100000}"
for rows in $sizes; do
  node --import tsx ../../bench/train-speed.ts "$rows" ${THREADS:-}
done
