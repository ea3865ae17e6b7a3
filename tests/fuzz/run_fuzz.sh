#!/usr/bin/env bash
# A short fuzzing run for the test suite: FUZZER SEED_CORPUS SECONDS.
# New inputs go to a scratch corpus in the build tree, never the seeds.
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work=$(dirname "$fuzzer")/$(basename "$fuzzer")-corpus
mkdir -p "$work"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" "$seeds"
