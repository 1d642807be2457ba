#!/usr/bin/env bash
# Renders a pimsim report.html to a PNG with headless Chromium and checks that the page loaded
# with its verdict and all six charts.
#
#   scripts/render-report.sh [REPORT_HTML [OUT_PNG [WIDTH [HEIGHT]]]]
#
# Defaults: reports/heavy_machinery/report.html -> target/rendered/heavy_machinery.png, a
# 1200 x 13000 pixel window (the whole page; the rest of the image stays white).
# Needs Chromium: on Debian `apt-get install chromium` (Ubuntu: chromium-browser).
# Runs offline: the report loads nothing from the network.
set -euo pipefail
cd "$(dirname "$0")/.."

report=${1:-reports/heavy_machinery/report.html}
stem=$(basename "$(dirname "$report")")
out=${2:-target/rendered/$stem.png}
width=${3:-1200}
height=${4:-13000}

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser=$candidate
    break
  fi
done
if [ -z "$browser" ]; then
  echo "render-report: no Chromium found; install it (Debian: apt-get install chromium)" >&2
  exit 2
fi
if [ ! -s "$report" ]; then
  echo "render-report: $report not found; run 'pimsim run' (or scripts/regenerate-reports.sh) first" >&2
  exit 2
fi

mkdir -p "$(dirname "$out")"
profile=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$profile" "$log"' EXIT
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --hide-scrollbars --user-data-dir="$profile")

# 1. The page as the browser parsed it: the verdict and six inline charts must be there.
dom=$("$browser" "${flags[@]}" --dump-dom "$url" 2>"$log") || {
  cat "$log" >&2
  echo "render-report: $browser could not load $url" >&2
  exit 1
}
charts=$(grep -o '<svg role="img"' <<<"$dom" | wc -l)
if ! grep -q 'id="verdict"' <<<"$dom" || [ "$charts" -ne 6 ]; then
  echo "render-report: $report: expected the verdict and 6 charts, found $charts charts" >&2
  exit 1
fi
if grep -q 'parsererror' <<<"$dom"; then
  echo "render-report: $report: the browser reports a parse error in the page" >&2
  exit 1
fi

# 2. The screenshot.
rm -f "$out"
"$browser" "${flags[@]}" --window-size="$width,$height" --screenshot="$out" "$url" 2>"$log" || {
  cat "$log" >&2
  echo "render-report: $browser failed to render $url" >&2
  exit 1
}
if [ ! -s "$out" ]; then
  cat "$log" >&2
  echo "render-report: no screenshot was written" >&2
  exit 1
fi
echo "rendered $report -> $out ($charts charts, ${width}x${height})"
