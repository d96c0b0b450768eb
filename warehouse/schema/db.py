"""Connecting to the warehouse and bringing its schema up to date."""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text

from connectors.json_decode import loads as json_loads
from warehouse.infra.atomic_file import private_file, private_folder
from warehouse.schema import roles
from warehouse.schema.data_dictionary import write_comments

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file gets its folder, 16 KB pages when new, WAL journaling and foreign keys.

    The SQLite warehouse is single-user: its folder, when created, and the file (its write-ahead log and shared
    memory take the file's mode) are its owner's alone, an older file included."""
    if url.startswith("sqlite"):
        use_sqlite_adapters()
        engine = create_engine(url, json_deserializer=json_loads, hide_parameters=True)
        path = engine.url.database
        if path and path != ":memory:":
            private_file(private_folder(Path(path).parent) / Path(path).name)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, json_deserializer=json_loads, hide_parameters=True)


def _null(_value: None) -> None:
    return None


def use_sqlite_adapters() -> None:
    """Register sqlite3's adapters for None, bool and date, for the process (again: no change).

    sqlite3 binds str, int, float and bytes at once; any other value first goes through its adaptation protocol,
    which without a registered adapter looks for ``__adapt__`` and ``__conform__`` in vain (bench/RESULTS.md, eighth
    round). The adapters for None and bool store what sqlite3 stores without them (NULL; 1 and 0). A date is stored
    as SQLAlchemy stores it in SQLite (ISO text), without sqlite3's default adapter (deprecated since Python 3.12)."""
    sqlite3.register_adapter(type(None), _null)
    sqlite3.register_adapter(bool, int)
    sqlite3.register_adapter(date, date.isoformat)


# A batch of clean rows touches pages all over the tables (the pseudonymous keys are random): copying the WAL
# back into the database after every commit (SQLite's default, 1,000 pages) writes those pages again each time.
# Every 50,000 pages a page changed by many batches is copied once (`bench/RESULTS.md`, ninth round, and "Tuning").
# The WAL file is cut back to 64 MB after each copy.
WAL_CHECKPOINT_PAGES = 50_000
WAL_KEPT_BYTES = 64 * 1024 * 1024


# A new SQLite file gets 16 KB pages (SQLite's default: 4 KB; an existing file keeps its own until a VACUUM): a
# raw submission (~5 KB of JSON) fits in its page instead of spilling to overflow pages, and a commit writes and
# copies back a quarter of the pages; clean at 1M children is faster, the indicators' refresh unchanged
# (`bench/RESULTS.md`, ninth round).
PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: the journal mode fixes it for a new file
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
    cursor.close()


# A bulk write on SQLite changes pages all over the indexes (the pseudonymous keys are random). With SQLite's
# default cache each change reads its page back from the file; the writing connection gets a larger one
# (bench/RESULTS.md, "Tuning").
BULK_CACHE_MB = 256


@contextmanager
def large_page_cache(conn: Connection) -> Iterator[None]:
    """On SQLite, a page cache of ``BULK_CACHE_MB`` on ``conn`` while a step writes many rows; the memory is
    given back afterwards (the pool keeps the connection)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection  # a PRAGMA here does not begin the caller's transaction
    previous = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size=-{BULK_CACHE_MB * 1024}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={previous}")
        driver.execute("PRAGMA shrink_memory")
        _release_freed_memory()


def _release_freed_memory() -> None:
    """Give freed memory back to the system: glibc keeps the cache's freed pages, scattered among live objects,
    for reuse (at 1M children the indicator step then started 0.28 GB higher)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError, TypeError):  # not glibc: nothing to do
        pass


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision``, one process at a time (every step process of a run
    upgrades on first use); Alembic is not run when the schema is already at the head."""
    config = alembic_config(engine)
    with warehouse_lock(engine, MIGRATION_LOCK):
        if not (revision == "head" and _at_head(engine, config)):
            command.upgrade(config, revision)
            if revision == "head":
                _grant_new_tables(engine)
        write_comments(engine)  # the analyst tables' descriptions, on PostgreSQL


def _grant_new_tables(engine: Engine) -> None:
    """On PostgreSQL with the roles of :mod:`warehouse.schema.roles` set up, grant them the tables migrations added."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        if roles.roles_set_up(conn):
            roles.apply_access(conn)


def _at_head(engine: Engine, config: Config) -> bool:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(ScriptDirectory.from_config(config).get_heads())


MIGRATION_LOCK = "migrations"
LOCK_POLL_SECONDS = 0.2


class WarehouseBusy(TimeoutError):
    """Another process held a warehouse lock for longer than the caller would wait."""


@contextmanager
def warehouse_lock(engine: Engine, name: str, *, wait_seconds: float | None = None,
                   on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's lock ``name`` against every other process and connection: on PostgreSQL a session
    advisory lock, on a SQLite file an exclusive ``flock`` on ``<file>.locks/<name>.lock`` beside it. Both end
    with the process that holds them. When the lock is taken, ``on_wait`` is called once, then the lock is
    awaited; past ``wait_seconds`` (``None``: no limit) :class:`WarehouseBusy` is raised."""
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"clms:{name}".encode()).digest()[:8], "big", signed=True)
        with engine.connect() as conn:
            def try_lock() -> bool:
                taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                conn.commit()  # the lock belongs to the session: no transaction is kept open while it is held
                return taken
            _acquire(try_lock, wait_seconds, on_wait)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":  # one connection's own database: nobody else can open it
        yield
        return
    folder = private_folder(Path(f"{database}.locks"))
    with open(folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock", "a") as file:
        def try_lock() -> bool:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True
        _acquire(try_lock, wait_seconds, on_wait)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def _acquire(try_lock: Callable[[], bool], wait_seconds: float | None,
             on_wait: Callable[[], None] | None) -> None:
    if try_lock():
        return
    if on_wait is not None:
        on_wait()
    deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
    while not try_lock():
        if deadline is not None and time.monotonic() >= deadline:
            raise WarehouseBusy
        time.sleep(LOCK_POLL_SECONDS)
