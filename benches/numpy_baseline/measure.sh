#!/usr/bin/env bash
# Times the NumPy baseline and pimsim on scenarios/benchmark.toml, one run at a time, with the
# load average before each run. Usage, from the repository root:
#
#   PY=/tmp/npvenv/bin/python benches/numpy_baseline/measure.sh numpy  PATHS [OPTIONS...]
#   benches/numpy_baseline/measure.sh pimsim PATHS               # target/release/pimsim, 2 threads
#
# OPTIONS go to pimsim_numpy.py (--no-chunk, --months-first, ...); REPEATS=N runs (default 3).
#
# Each run prints: load average, wall time, peak RSS, CPU share (from /usr/bin/time -v), and
# for the NumPy baseline the simulation's own paths/s (without interpreter start-up).
set -euo pipefail
PY=${PY:-/tmp/npvenv/bin/python}
what=$1
paths=$2
shift 2
extra=("$@")
repeats=${REPEATS:-3}
here=$(dirname "$0")
log=$(mktemp)
for ((i = 1; i <= repeats; i++)); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    if [[ $what == numpy ]]; then
        /usr/bin/time -v "$PY" "$here/pimsim_numpy.py" scenarios/benchmark.toml \
            --paths "$paths" ${extra[@]+"${extra[@]}"} >"$log.out" 2>"$log"
        sim=$(grep -o 'simulation: .*' "$log.out")
    else
        /usr/bin/time -v target/release/pimsim run scenarios/benchmark.toml --paths "$paths" \
            --threads 2 --quiet --no-report --out /tmp/np-pimsim-$paths >"$log.out" 2>"$log"
        sim=""
    fi
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    cpu=$(grep 'Percent of CPU' "$log" | awk '{print $NF}')
    user=$(grep 'User time' "$log" | awk '{print $NF}')
    sys=$(grep 'System time' "$log" | awk '{print $NF}')
    echo "$what paths=$paths ${extra[*]} run=$i load=[$load] wall=$wall user=$user sys=$sys" \
        "rss_kb=$rss cpu=$cpu $sim"
done
rm -f "$log" "$log.out"
