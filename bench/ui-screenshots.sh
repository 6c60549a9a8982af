#!/usr/bin/env bash
# Screenshots of the Temporal UI as maspo's audit trail (README "What a run looks like in Temporal"): a small priced
# search on the simulator with a call cap below its need, captured while it waits with status budget_exhausted, then
# after the cap is raised and it completes; then an evaluation of examples/sim-chain.yaml: its search attributes, its
# first evaluateBatch child's history, and the workflows list filtered by MaspoKind.
# Headless Chromium against the embedded dev server's UI; nothing leaves 127.0.0.1.
# Usage: bash bench/ui-screenshots.sh [outdir]   (default docs/img; needs `chromium` on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/img}"
mkdir -p "$out"
npm run --silent build
# the project's Temporal CLI (no second download into the throw-away home)
export TEMPORAL_CLI_PATH="${TEMPORAL_CLI_PATH:-$(node -e "console.log(require('./dist/client/temporal/binary').findTemporalCliSync().path)")}"
export MASPO_HOME="$(mktemp -d)"
port=17455
ui=18455
trap 'kill $worker 2>/dev/null || true; node bin/maspo.js server stop >/dev/null 2>&1 || true; rm -rf "$MASPO_HOME"' EXIT
node bin/maspo.js server --detach --port $port --ui-port $ui >/dev/null
export TEMPORAL_ADDRESS=127.0.0.1:$port

config="$MASPO_HOME/ui-demo.yaml"
sed -e 's/^name: sim-optimize/name: ui-demo/' \
    -e 's/size: 1000 }/size: 100 }/' -e 's/^  rounds: 3/  rounds: 2/' \
    -e 's/^  batchSize: 10/  batchSize: 10\n  budget: { calls: 900 }/' \
    examples/sim-optimize.yaml > "$config"
cat >> "$config" <<'EOF'
prices:   # illustrative prices for the simulator's models, so the ledger shows dollars
  sim-agent: { input: 0.15, output: 0.6 }
  sim-optimizer: { input: 2.5, output: 10 }
  sim-judge: { input: 0.15, output: 0.6 }
EOF
node bin/maspo.js worker --config "$config" >"$MASPO_HOME/worker.log" 2>&1 &
worker=$!
id=ui-demo-search
node bin/maspo.js optimize "$config" --worker none --detach --id $id >/dev/null

shot() { # name url steps (wait:<text> click:<text> full size:<w>x<h>)
  node --import tsx bench/ui/shoot.ts "$out/$1" "${@:2}"
}
run_id() { "$TEMPORAL_CLI_PATH" workflow describe --address "$TEMPORAL_ADDRESS" -w "$1" -o json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).workflowExecutionInfo.execution.runId))"; }
enc() { node -e 'console.log(encodeURIComponent(process.argv[1]))' "$1"; }
base="http://127.0.0.1:$ui/namespaces/default"
for _ in $(seq 1 300); do
  node bin/maspo.js status $id --json 2>/dev/null | grep -q '"budget-exhausted"' && break
  sleep 1
done
shot ui-budget-exhausted.png "$base/workflows/$id/$(run_id $id)/history" 'wait:User Metadata' 'click:User Metadata' 'wait:Current Details'
shot ui-search-attributes-spend.png "$base/workflows/$id/$(run_id $id)/history" 'wait:Search Attributes' 'click:Search Attributes' 'wait:MaspoSpend'
shot ui-runs-by-status.png "$base/workflows?query=$(enc 'MaspoKind="optimize" AND MaspoStatus="budget_exhausted"')" "wait:$id"
node bin/maspo.js budget $id --calls none
node bin/maspo.js result $id >/dev/null
cand="$id/round-1/predictor/step-1/parent-0/cand-0"
shot ui-judge-verdicts.png "$base/workflows/$(enc "$cand")/$(run_id "$cand")/history" 'wait:global'
# an evaluation (the README's first command, on the same worker): its Maspo* search attributes once it completed
eval_id=ui-demo-evaluation
node bin/maspo.js evaluate examples/sim-chain.yaml --worker none --id $eval_id --no-progress >/dev/null
shot ui-evaluation-attributes.png "$base/workflows/$eval_id/$(run_id $eval_id)/history" 'wait:Search Attributes' 'click:Search Attributes' 'wait:MaspoScore'
# its first batch child: the Input and Result payloads (decoded through the server's codec) over the event list of
# llmCall / gradeItems activities; pretty-printed `"taskQueue": ` and `"correct": ` appear only in
# those panels (the event rows are compact JSON), so the waits pass once both payloads have loaded
batch="$eval_id/batch-0"
shot ui-evaluation.png "$base/workflows/$(enc "$batch")/$(run_id "$batch")/history" 'size:1600x1300' 'wait:"taskQueue": ' 'wait:"correct": ' 'wait:Activity Task Completed'
# the workflows list filtered by a maspo search attribute: the evaluation, without the search and its children
shot ui-search-attributes.png "$base/workflows?query=$(enc 'MaspoKind="evaluate"')" 'size:1600x1100' "wait:$eval_id"
