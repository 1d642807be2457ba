#!/usr/bin/env bash
# Whole-run figures for docs/performance.md: paths per second at 10^5, 10^6 and
# 10^7 paths on all cores, the speed-up from 1 to 2 threads, and peak resident memory.
# Usage: scripts/perf-table.sh [SCENARIO]   (default scenarios/benchmark.toml)
# Needs GNU time (/usr/bin/time, Debian package `time`). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/benchmark.toml}
cargo build --release --quiet
bin=target/release/pimsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "scenario: $scenario"
printf '%-10s %-8s %10s %12s %12s\n' paths threads seconds paths/s max_RSS_MB
for paths in 100000 1000000 10000000; do
  for threads in 1 2; do
    if [ "$paths" = 10000000 ] && [ "$threads" = 1 ]; then continue; fi
    /usr/bin/time -f '%e %M' -o "$out/time" \
      "$bin" run "$scenario" --paths "$paths" --threads "$threads" --quiet --out "$out/run" >/dev/null
    read -r secs kb <"$out/time"
    awk -v p="$paths" -v t="$threads" -v s="$secs" -v k="$kb" \
      'BEGIN { printf "%-10s %-8s %10s %12.0f %12.1f\n", p, t, s, p / s, k / 1024 }'
  done
done
