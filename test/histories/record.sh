#!/usr/bin/env bash
# Records the histories replayed by test/replay.test.ts: runs a small evaluation on a throwaway embedded server
# and exports the parent's and every batch child's history as JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
export MASPO_HOME="$(mktemp -d)"
trap 'node bin/maspo.js server stop >/dev/null 2>&1 || true; rm -rf "$MASPO_HOME"' EXIT
node bin/maspo.js setup >/dev/null
node bin/maspo.js server --detach --port 17399 --ui-port 18399 >/dev/null
id=replay-fixture
TEMPORAL_ADDRESS=127.0.0.1:17399 node bin/maspo.js evaluate test/histories/record.yaml --worker inline --id "$id" --json >/dev/null
temporal=$(node -e "console.log(require('./dist/client/temporal/binary').findTemporalCliSync().path)")
for wf in "$id" "$id/batch-0" "$id/batch-1"; do
  "$temporal" workflow show --address 127.0.0.1:17399 -w "$wf" --output json > "test/histories/$(echo "$wf" | tr '/' '_').json"
done
echo "recorded: $(ls test/histories/*.json | tr '\n' ' ')"
