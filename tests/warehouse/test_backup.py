"""A warehouse backed up (a file only its owner reads) and restored into a new database has the same tables, rows
and column comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import MetaData, inspect, select

from dagster_project.defs.reference.assets import administrative_units, reference_populations, targets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse.infra.versioned import REFERENCE_DIR
from warehouse.ops import backup
from warehouse.schema.db import make_engine

DEMO_POPULATIONS = REFERENCE_DIR / "demo" / "populations_demo.csv"


def contents(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, and (PostgreSQL) every column's comment."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            rows = {name: sorted(conn.execute(select(table)).all(), key=repr)
                    for name, table in metadata.tables.items()}
        inspector = inspect(engine)
        comments = {f"{name}.comments": [(c["name"], c.get("comment")) for c in inspector.get_columns(name)]
                    for name in metadata.tables}
        return {**rows, **comments}
    finally:
        engine.dispose()


def filled_warehouse(url: str, key: str, tmp_path: Path) -> None:
    """The reference assets materialized: shipped targets, old and new communes, the demo populations uploaded."""
    populations = tmp_path / "uploads" / "populations"
    populations.mkdir(parents=True)
    shutil.copy(DEMO_POPULATIONS, populations)
    result = dg.materialize([targets, reference_populations, administrative_units], resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=key),
        "reference_files": ReferenceFiles(folder=str(tmp_path / "uploads"))})
    assert result.success


def new_database(warehouse_url: str, request, tmp_path: Path) -> str:
    if warehouse_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'warehouse.sqlite'}"
    return request.getfixturevalue("postgres_server").create_database("clms_restored")


def test_a_restored_backup_holds_the_same_warehouse(warehouse_url, pseudonym_key, tmp_path, request):
    filled_warehouse(warehouse_url, pseudonym_key, tmp_path)
    before = contents(warehouse_url)
    assert sum(len(rows) for name, rows in before.items() if not name.endswith(".comments")) > 1000
    file = tmp_path / "backups" / "warehouse.ops.backup"
    assert backup.main(["save", str(file), "--url", warehouse_url]) == 0
    assert file.stat().st_mode & 0o777 == 0o600
    restored = new_database(warehouse_url, request, tmp_path)
    assert backup.main(["restore", str(file), "--url", restored]) == 0
    if restored.startswith("sqlite"):  # the embedded warehouse is single-user
        assert (tmp_path / "restored" / "warehouse.sqlite").stat().st_mode & 0o777 == 0o600
    assert contents(restored) == before
    if warehouse_url.startswith("postgresql"):
        assert any(comment for name, columns in before.items() if name.endswith(".comments")
                   for _, comment in columns)


def test_a_restore_never_writes_over_a_warehouse(warehouse_url, pseudonym_key, tmp_path, capsys):
    filled_warehouse(warehouse_url, pseudonym_key, tmp_path)
    file = tmp_path / "warehouse.ops.backup"
    assert backup.main(["save", str(file), "--url", warehouse_url]) == 0
    before = contents(warehouse_url)
    assert backup.main(["restore", str(file), "--url", warehouse_url]) == 1
    assert "new" in capsys.readouterr().err
    assert contents(warehouse_url) == before


@pytest.mark.parametrize("missing", ["backup", "warehouse"])
def test_nothing_to_back_up_or_restore_is_a_plain_message(missing, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'absent.sqlite'}"
    argv = (["restore", str(tmp_path / "absent.backup"), "--url", url] if missing == "backup"
            else ["save", str(tmp_path / "out.backup"), "--url", url])
    assert backup.main(argv) == 1
    assert "no " in capsys.readouterr().err
    assert not (tmp_path / "absent.sqlite").exists() and not (tmp_path / "out.backup").exists()
