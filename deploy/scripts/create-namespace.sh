#!/bin/sh
# One-shot job (temporalio/admin-tools image): waits for the Temporal frontend, creates the namespace with a
# retention period, and registers maspo's custom search attributes in it. Idempotent: existing namespaces and
# attributes are left alone (a retention change of an existing namespace is applied with `namespace update`).
# Based on temporalio/samples-server compose/scripts/create-namespace.sh, with its `$MAX_ATTdMPTS` typo fixed.
#
# The attribute list mirrors core/contracts/search-attributes.ts (ALL_SEARCH_ATTRIBUTES); keep the two in sync.
set -eu

NAMESPACE=${DEFAULT_NAMESPACE:-default}
RETENTION=${NAMESPACE_RETENTION:-30d}
TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
MAX_ATTEMPTS=${TEMPORAL_HEALTH_CHECK_MAX_ATTEMPTS:-30}
SLEEP_SECONDS=${TEMPORAL_HEALTH_CHECK_SLEEP_SECONDS:-5}
export TEMPORAL_ADDRESS

SEARCH_ATTRIBUTES="
MaspoKind Keyword
MaspoRun Keyword
MaspoDataset Keyword
MaspoTopology Keyword
MaspoStatus Keyword
MaspoStrategy Keyword
MaspoScore Double
MaspoSpend Double
MaspoForkOf Keyword
MaspoForkRound Int
"

echo "Waiting for Temporal at $TEMPORAL_ADDRESS to be healthy..."
attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "Temporal did not become healthy after $MAX_ATTEMPTS attempts" >&2
    exit 1
  fi
  echo "Temporal not ready yet (attempt $attempt/$MAX_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

attempt=1
while :; do
  if temporal operator namespace describe -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
    echo "Namespace '$NAMESPACE' exists; setting retention $RETENTION"
    temporal operator namespace update -n "$NAMESPACE" --retention "$RETENTION" --address "$TEMPORAL_ADDRESS" >/dev/null
    break
  fi
  if temporal operator namespace create -n "$NAMESPACE" --retention "$RETENTION" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
    echo "Namespace '$NAMESPACE' created (retention $RETENTION)"
    break
  fi
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "Failed to create namespace '$NAMESPACE' after $MAX_ATTEMPTS attempts" >&2
    exit 1
  fi
  echo "Namespace operation not ready yet (attempt $attempt/$MAX_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

# A new namespace may take a moment to reach every frontend's cache; retry the listing.
attempt=1
until existing=$(temporal operator search-attribute list -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" 2>/dev/null); do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "Cannot list search attributes of '$NAMESPACE' after $MAX_ATTEMPTS attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

echo "$SEARCH_ATTRIBUTES" | while read -r name type; do
  [ -n "$name" ] || continue
  if echo "$existing" | grep -Eq "^[[:space:]]*${name}[[:space:]]"; then
    echo "Search attribute $name already registered"
  else
    temporal operator search-attribute create -n "$NAMESPACE" --name "$name" --type "$type" --address "$TEMPORAL_ADDRESS" >/dev/null
    echo "Search attribute $name ($type) registered"
  fi
done

echo "Namespace '$NAMESPACE' is ready"
