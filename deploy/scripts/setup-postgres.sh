#!/bin/sh
# One-shot schema job (temporalio/admin-tools image): creates the `temporal` and `temporal_visibility` databases
# and brings both schemas to the version shipped with the image, and creates the empty `maspo` database of maspo's
# shared store (the worker's MASPO_STORE_URL; maspo creates its own tables on first use). Idempotent, so it runs on
# every `docker compose up`:
# `create` ignores an existing database, `setup-schema -v 0.0` never lowers a recorded version, and `update-schema`
# applies only the missing versioned steps (also after an image upgrade).
# Follows temporalio/samples-server compose/scripts/setup-postgres.sh.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required (temporal-sql-tool reads the password from it)}"
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

echo "Waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}..."
attempt=1
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
  if [ "$attempt" -ge 30 ]; then
    echo "PostgreSQL did not open ${POSTGRES_SEEDS}:${DB_PORT} after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versioned="$SCHEMA_DIR/temporal/versioned" ;;
    *) versioned="$SCHEMA_DIR/visibility/versioned" ;;
  esac
  echo "Setting up database '$db'..."
  sql_tool --db "$db" create
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$versioned"
done

# maspo's shared store (LLM response cache, claim-check payloads): the database only, maspo migrates its tables.
echo "Creating database 'maspo' (if missing)..."
sql_tool --db maspo create

echo 'PostgreSQL schema setup complete'
