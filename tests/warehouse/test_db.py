"""Connecting to the warehouse: what a SQLite file gets (``warehouse.schema.db.make_engine``)."""

import multiprocessing
import sqlite3

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from warehouse.schema.db import PAGE_SIZE, WarehouseBusy, alembic_config, make_engine, upgrade, warehouse_lock

PROCESSES = 4


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


def _upgrade_at_the_barrier(url: str, barrier) -> None:
    engine = make_engine(url)
    barrier.wait()
    upgrade(engine)
    engine.dispose()


def test_processes_starting_together_migrate_a_fresh_warehouse_once(warehouse_url):
    """Every step process of a multiprocess run upgrades on first use, all at once on a fresh warehouse."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    processes = [context.Process(target=_upgrade_at_the_barrier, args=(warehouse_url, barrier))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    assert [p.exitcode for p in processes] == [0] * PROCESSES
    engine = make_engine(warehouse_url)
    with engine.connect() as conn:
        assert list(MigrationContext.configure(conn).get_current_heads()) == ScriptDirectory.from_config(
            alembic_config(engine)).get_heads()
    engine.dispose()


def test_a_warehouse_lock_is_held_against_every_other_connection(warehouse_url):
    holder, other = make_engine(warehouse_url), make_engine(warehouse_url)
    waited = []
    with warehouse_lock(holder, "step-households"):
        with pytest.raises(WarehouseBusy):
            with warehouse_lock(other, "step-households", wait_seconds=0.5, on_wait=lambda: waited.append(1)):
                pass
        with warehouse_lock(other, "step-children", wait_seconds=0):  # another lock is free
            pass
    with warehouse_lock(other, "step-households", wait_seconds=0):  # let go with the block
        pass
    assert waited == [1]
    holder.dispose()
    other.dispose()
