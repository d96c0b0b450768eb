"""Bulk inserts store each value as the column's type stores it, on both backends."""

import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, select, text

from warehouse.infra.bulk import insert_rows
from warehouse.schema.db import make_engine

_metadata = MetaData()
_ROWS = Table("bulk_values", _metadata, Column("id", Integer, primary_key=True), Column("name", String(16)),
              Column("flag", Boolean), Column("day", Date), Column("count", Integer), Column("share", Float))
COLUMNS = ["id", "name", "flag", "day", "count", "share"]


def test_none_booleans_and_dates_are_stored_as_the_columns_store_them(warehouse_url):
    engine = make_engine(warehouse_url)
    _metadata.create_all(engine)
    rows = [(1, "a", True, date(2026, 11, 24), 3, 0.5), (2, None, False, None, None, None)]
    with engine.begin() as conn:
        assert insert_rows(conn, _ROWS, COLUMNS, rows) == 2
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(_ROWS).order_by(_ROWS.c.id))] == rows
        if conn.dialect.name == "sqlite":  # as SQLAlchemy writes them: 1 and 0, ISO text, NULL
            stored = conn.execute(text("SELECT typeof(name), flag, typeof(flag), day, typeof(day), typeof(count),"
                                       " typeof(share) FROM bulk_values ORDER BY id")).all()
            assert [tuple(r) for r in stored] == [("text", 1, "integer", "2026-11-24", "text", "integer", "real"),
                                                  ("null", 0, "integer", None, "null", "null", "null")]


def test_importing_the_warehouse_registers_no_sqlite_adapter():
    """sqlite3's adapters are registered by :func:`warehouse.schema.db.make_engine` for a SQLite URL, not at import."""
    check = ("import sqlite3, warehouse.infra.bulk, warehouse.indicators.indicators; "
             "from warehouse.schema.db import make_engine; "
             "key = (type(None), sqlite3.PrepareProtocol); before = key in sqlite3.adapters; "
             "make_engine('sqlite://').dispose(); print(before, key in sqlite3.adapters)")
    done = subprocess.run([sys.executable, "-c", check], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
