"""The embedded SQLite warehouse is single-user: the file, its journal, its folder and the restricted outputs
are their owner's alone, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from warehouse.cases.case_list import CaseListRow, write_cases_csv
from warehouse.schema.db import MIGRATION_LOCK, make_engine, upgrade, warehouse_lock


@pytest.fixture(autouse=True)
def usual_umask():
    previous = os.umask(0o022)  # files readable by everyone unless the code says otherwise
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_warehouse_is_its_owner_s_alone(tmp_path):
    database = tmp_path / "var" / "warehouse.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with engine.begin() as conn:  # the write-ahead log and shared memory exist while a connection is open
        conn.execute(text("INSERT INTO pipeline_checkpoint VALUES ('x', 1, 'v')"))
        journals = [p for p in database.parent.iterdir() if p.name.startswith("warehouse.sqlite-")]
        assert {p.name for p in journals} == {"warehouse.sqlite-wal", "warehouse.sqlite-shm"}
        assert {p.name: mode(p) for p in journals} == {p.name: 0o600 for p in journals}
    with warehouse_lock(engine, MIGRATION_LOCK):
        pass
    engine.dispose()
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o700
    assert mode(Path(f"{database}.locks")) == 0o700


def test_an_older_warehouse_file_is_made_private(tmp_path):
    database = tmp_path / "warehouse.sqlite"
    make_engine(f"sqlite:///{database}").dispose()
    database.chmod(0o644)
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    assert mode(database) == 0o600


def test_the_case_list_file_is_its_owner_s_alone(tmp_path):
    row = CaseListRow(uuid="7b0c7e0e-6a43-4f1f-9a39-0d1f8d7c5a11", label="C-7K3Q9 · Xã A · 13–14 tuổi",
                      case_code="C-7K3Q9", commune="00004", age_band="13-14", case_type="child_labourer",
                      status="open", due_date="2026-12-01", last_visit="", first_support="", state="screened",
                      overdue="yes")
    path = tmp_path / "var" / "case_list" / "cases.csv"
    assert write_cases_csv([row], path) == 1
    assert write_cases_csv([row], path) == 1  # replaced: the new file is private too
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert "C-7K3Q9" in path.read_text(encoding="utf-8")
