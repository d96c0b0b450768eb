"""Bulk inserts store each value as the column's type stores it, on both backends."""

from datetime import date

from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, select, text

from warehouse.bulk import insert_rows
from warehouse.db import make_engine

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
