#!/usr/bin/env bash
# Regenerates the example reports in reports/, one folder per bundled scenario:
# reports/<scenario stem>/ holds exactly what `pimsim run scenarios/<stem>.toml` writes there
# (each scenario's own path count and seed; the output is deterministic, so a rerun changes
# nothing unless the results or the report changed).
#
#   scripts/regenerate-reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet
for scenario in scenarios/*.toml; do
  stem=$(basename "$scenario" .toml)
  # The portfolio template is not a case of its own; its example is below.
  if [ "$stem" = portfolio_template ]; then continue; fi
  out="reports/$stem"
  # A scenario with a [sweep] table writes a sweep report, to reports/<stem>-sweep/.
  if grep -q '^\[sweep\]' "$scenario"; then out="reports/$stem-sweep"; fi
  # pimsim replaces the folder as a whole: no file of an older version lingers.
  target/release/pimsim run "$scenario" --quiet --out "$out" >/dev/null
  echo "$out: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
done
# The example of `pimsim optimize` in docs/optimizer.md.
target/release/pimsim optimize scenarios/benchmark.toml --quiet --out reports/benchmark-optimize >/dev/null
echo "reports/benchmark-optimize: $(find reports/benchmark-optimize -type f | wc -l) files"
# The portfolio example of docs/portfolios.md: the synthetic ERP history fitted, joined with its part
# master, every part simulated with the template.
target/release/pimsim fit scenarios/history/history.csv --origin end --out fits/history-end --quiet >/dev/null
target/release/pimsim portfolio fits/history-end/parts.csv scenarios/history/part_master.csv \
  --template scenarios/portfolio_template.toml --quiet --out reports/history-portfolio >/dev/null
echo "reports/history-portfolio: $(find reports/history-portfolio -type f | wc -l) files, $(du -sh reports/history-portfolio | cut -f1)"
