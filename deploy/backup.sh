#!/bin/sh
# The nightly backups (clms-backup.timer, docs/operations.md): the warehouse (CLMS_WAREHOUSE_URL) and Dagster's
# database (DAGSTER_PG_*) into CLMS_BACKUP_DIR, keeping CLMS_BACKUP_DAYS days of them.
set -eu
python="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"
folder="${CLMS_BACKUP_DIR:-/var/backups/clms}"
stamp="$(date +%Y%m%d-%H%M%S)"
"$python" -m warehouse.ops.backup save "$folder/warehouse-$stamp.backup"
PGPASSWORD="$DAGSTER_PG_PASSWORD" "$python" -m warehouse.ops.backup save "$folder/dagster-$stamp.backup" \
  --url "postgresql://$DAGSTER_PG_USER@$DAGSTER_PG_HOST:$DAGSTER_PG_PORT/$DAGSTER_PG_DB"
find "$folder" -maxdepth 1 -name '*.backup' -mtime +"${CLMS_BACKUP_DAYS:-30}" -delete
