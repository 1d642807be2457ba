#!/usr/bin/env bash
# Runs every command of pimsim on the bundled examples and prints a SHA-256 digest of every file
# it writes and of what it prints on standard output, one line per file, sorted:
#
#   scripts/output-digests.sh [PIMSIM] > digests.txt
#
# Run it with two builds and diff the lists to show that a change leaves every output byte for
# byte as it was (the refactorings of the "one room per command" issue were checked this way).
# PIMSIM defaults to target/release/pimsim; the work happens in a temporary directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pimsim=$(realpath "${1:-$root/target/release/pimsim}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ln -s "$root/scenarios" scenarios

q() { "$pimsim" "$@" --quiet; }

for s in heavy_machinery benchmark electronics_obsolescence multi_partner; do
  q run "scenarios/$s.toml" --paths 3000 --out "out/run-$s" >"out-run-$s.txt"
  q run "scenarios/$s.toml" --paths 3000 --out "out/json-$s" --format json --no-report >"out-json-$s.txt"
  q run "scenarios/$s.toml" --paths 3000 --out "out/csv-$s" --format csv --no-report >"out-csv-$s.txt"
done
q run scenarios/heavy_machinery.toml --paths 2000 --threads 1 --out out/threads1 >/dev/null
for k in 0 1 2; do
  q run scenarios/heavy_machinery.toml --paths 2000 --shard "$k/3" --out out/run-shards >/dev/null
done
q merge out/run-shards --out out/run-merged >"out-run-merged.txt"

q sweep scenarios/sweep_release_vs_scrap.toml --paths 500 --out out/sweep >"out-sweep.txt"
q sweep scenarios/sweep_release_vs_scrap.toml --paths 500 --out out/sweep-json --format json >"out-sweep-json.txt"
for k in 0 1; do
  q sweep scenarios/sweep_release_vs_scrap.toml --paths 500 --shard "$k/2" --out out/sweep-shards >/dev/null
done
q merge out/sweep-shards --out out/sweep-merged >"out-sweep-merged.txt"

q optimize scenarios/benchmark.toml --paths 1000 --out out/optimize >"out-optimize.txt"
q optimize scenarios/heavy_machinery.toml --paths 1000 --fill-rate-target 0.9 --out out/optimize-target --format json >"out-optimize-target.txt"

q fit scenarios/history/history.csv --out out/fit-eop >"out-fit-eop.txt"
q fit scenarios/history/history.csv --origin end --out out/fit-end >"out-fit-end.txt"
q fit scenarios/history/history.csv --origin end --template scenarios/portfolio_template.toml --out out/fit-template >"out-fit-template.txt"

q portfolio out/fit-end/parts.csv scenarios/history/part_master.csv \
  --template scenarios/portfolio_template.toml --paths 200 --out out/portfolio \
  --scenarios out/portfolio-scenarios >"out-portfolio.txt"
q portfolio out/fit-end/parts.csv scenarios/history/part_master.csv \
  --template scenarios/portfolio_template.toml --paths 200 --out out/portfolio-csv --format csv --no-report >"out-portfolio-csv.txt"
for k in 0 1; do
  q portfolio out/fit-end/parts.csv scenarios/history/part_master.csv \
    --template scenarios/portfolio_template.toml --paths 200 --shard "$k/2" --out out/portfolio-shards >/dev/null
done
q merge out/portfolio-shards --out out/portfolio-merged >"out-portfolio-merged.txt"

# Partial results are an internal format (they change with it); the merged outputs are compared.
find . -path ./scenarios -prune -o -type f ! -name 'partial-*.json' -print | sort | xargs sha256sum
