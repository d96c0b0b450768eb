"""Connecting to the warehouse: what a SQLite file gets (``warehouse.db.make_engine``)."""

import sqlite3

from warehouse.db import PAGE_SIZE, make_engine, upgrade


def test_a_new_sqlite_warehouse_has_16_kb_pages_and_an_existing_one_keeps_its_own(tmp_path):
    fresh, existing = tmp_path / "fresh.sqlite", tmp_path / "existing.sqlite"
    with sqlite3.connect(existing) as made_elsewhere:
        made_elsewhere.execute("PRAGMA page_size=4096")
        made_elsewhere.execute("CREATE TABLE t (x)")
    for path, expected in ((fresh, PAGE_SIZE), (existing, 4096)):
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA page_size").scalar() == expected
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        engine.dispose()
    assert PAGE_SIZE != 4096  # else the fresh file would prove nothing
