#!/usr/bin/env bash
# Records the histories replayed by test/replay.test.ts: runs a small evaluation and a tiny search on a throwaway
# embedded server and exports every workflow execution's history as JSON (re-record after a deliberate,
# versioned workflow change).
set -euo pipefail
cd "$(dirname "$0")/../.."
export MASPO_HOME="$(mktemp -d)"
# No claim-check: the recorded histories must replay without the (throw-away) payload store.
export MASPO_PAYLOAD_THRESHOLD=0
trap 'node bin/maspo.js server stop >/dev/null 2>&1 || true; rm -rf "$MASPO_HOME"' EXIT
npm run build >/dev/null
node bin/maspo.js setup >/dev/null
node bin/maspo.js server --detach --port 17399 --ui-port 18399 >/dev/null
export TEMPORAL_ADDRESS=127.0.0.1:17399
node bin/maspo.js evaluate test/histories/record.yaml --worker inline --id replay-fixture --json >/dev/null
node bin/maspo.js optimize test/histories/record-optimize.yaml --worker inline --id replay-search --json >/dev/null
temporal=$(node -e "console.log(require('./dist/client/temporal/binary').findTemporalCliSync().path)")
rm -f test/histories/*.json
"$temporal" workflow list --address "$TEMPORAL_ADDRESS" --query "WorkflowId STARTS_WITH 'replay-'" -o jsonl |
  node -e "require('readline').createInterface({input:process.stdin}).on('line',l=>{const e=JSON.parse(l).execution;console.log(e.workflowId+' '+e.runId)})" |
  while read -r wf run; do
    "$temporal" workflow show --address "$TEMPORAL_ADDRESS" -w "$wf" -r "$run" --output json > "test/histories/${wf//\//%2F}@${run:0:8}.json"
  done
echo "recorded $(ls test/histories/*.json | wc -l) histories ($(du -sh test/histories | cut -f1))"
