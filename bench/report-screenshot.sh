#!/usr/bin/env bash
# Produces docs/img/report.png, the README's picture of `maspo report`: runs the paper configuration on the simulator
# (examples/sim-optimize.yaml: D=3, T=3, K=2, Ksub=2, |D|=50, |B|=10, 2-agent chain; ~2–3 min on 2 cores, cold
# cache), exports its run record, renders the HTML report from it offline and screenshots it with headless Chromium.
#
#   bash bench/report-screenshot.sh                 # embedded server of this checkout (.maspo/), as in the README
#   SERVER_PORT=17433 MASPO_HOME=$(mktemp -d) bash bench/report-screenshot.sh   # a private embedded server
#
# Env: OUT_DIR (run.json, prompts.json, report.html, optimize.txt; default a temp dir), CHROMIUM_PATH, MASPO_HOME,
# SERVER_PORT (start this home's embedded server on that port, UI on +1000, and stop it afterwards), RUN_ID (an
# existing optimize run to picture instead of running a new one).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out" docs/img
chromium=${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -x "$chromium" ] || { echo "report-screenshot: no Chromium found (set CHROMIUM_PATH)" >&2; exit 2; }
maspo() { node --import tsx cli/main.ts "$@"; }   # the sources, so no build is needed

if [ -n "${SERVER_PORT:-}" ]; then
  maspo server --detach --port "$SERVER_PORT" --ui-port $((SERVER_PORT + 1000))
  trap 'maspo server stop >/dev/null 2>&1 || true' EXIT
fi

id=${RUN_ID:-}
if [ -z "$id" ]; then
  id="optimize-sim-optimize-report-$(date -u +%Y%m%dT%H%M%SZ)"
  start=$(date +%s)
  maspo optimize examples/sim-optimize.yaml --id "$id" --no-progress > "$out/optimize.txt"
  echo "optimize: $(( $(date +%s) - start )) s · $(sed -n 2p "$out/optimize.txt" | cut -c1-120)"
fi
maspo export "$id" -o "$out/run.json" --prompts "$out/prompts.json"
maspo report --from "$out/run.json" -o "$out/report.html"
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/chromium-profile" \
  --window-size=1280,3420 --screenshot=docs/img/report.png "file://$(cd "$out" && pwd)/report.html" 2>/dev/null
echo "docs/img/report.png ($(( $(stat -c %s docs/img/report.png) / 1024 )) KB) from $out/report.html"
