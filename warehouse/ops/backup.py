"""Back up the warehouse, and restore a backup into a new database.

PostgreSQL: ``pg_dump`` in its custom format and ``pg_restore`` (the server's own tools: tables, rows, indexes,
comments, row-level security and grants come back as they were). SQLite: the online backup API, a consistent copy
even while a run writes.

    python -m warehouse.ops.backup save FILE [--url URL]    # default CLMS_WAREHOUSE_URL, else the embedded SQLite file
    python -m warehouse.ops.backup restore FILE --url URL   # a new, empty PostgreSQL database, or a new SQLite file
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy import URL, inspect, make_url

from warehouse.infra.atomic_file import replaced_atomically
from warehouse.infra.settings import Settings
from warehouse.schema.db import make_engine


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; nothing was changed."""


def save(url: str, backup: Path) -> None:
    """Write a backup of the warehouse at ``url`` to ``backup`` (replaced whole, or left as it was), readable by
    its owner only: it holds children's data."""
    parsed = make_url(url)
    with replaced_atomically(backup, private=True) as temporary:
        if parsed.get_backend_name() == "sqlite":
            source = _sqlite_path(parsed)
            if not source.exists():
                raise BackupError(f"no warehouse at {source}")
            _sqlite_copy(source, temporary)
        else:
            _pg_tool("pg_dump", parsed, "--format=custom", f"--file={temporary}")


def restore(backup: Path, url: str) -> None:
    """Restore ``backup`` into the new database at ``url``: an existing empty PostgreSQL database, or a SQLite file
    that does not exist yet. A warehouse that holds tables is never written over."""
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = _sqlite_path(parsed)
        if target.exists():
            raise BackupError(f"{target} exists: restore into a new file, then put it in place")
        with replaced_atomically(target, private=True) as temporary:
            _sqlite_copy(backup, temporary)
        return
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"database {parsed.database} holds {len(tables)} tables: restore into a new, empty one "
                          f"(createdb -O {parsed.username} <name>)")
    _pg_tool("pg_restore", parsed, "--exit-on-error", "--single-transaction", "--no-owner", str(backup))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _pg_tool(tool: str, url: URL, *args: str) -> None:
    """Run ``pg_dump``/``pg_restore`` on the database of ``url``; the password goes by environment, never in the
    command line (which every user of the machine can see)."""
    folder = os.environ.get("PG_BINDIR")
    executable = str(Path(folder) / tool) if folder else shutil.which(tool)
    if not executable:
        raise BackupError(f"{tool} not found: install PostgreSQL's client tools (the server's version or newer) "
                          "or set PG_BINDIR")
    dbname = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    result = subprocess.run([executable, *args, f"--dbname={dbname}"], env=env)
    if result.returncode:
        raise BackupError(f"{tool} failed (exit status {result.returncode}): see its message above")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.ops.backup", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    save_parser = commands.add_parser("save", help="write a backup of the warehouse to FILE")
    save_parser.add_argument("file", type=Path)
    save_parser.add_argument("--url", default=None, help="the warehouse (SQLAlchemy URL); default "
                                                         "CLMS_WAREHOUSE_URL, else the embedded SQLite file")
    restore_parser = commands.add_parser("restore", help="restore FILE into a new database")
    restore_parser.add_argument("file", type=Path)
    restore_parser.add_argument("--url", required=True, help="the new database (SQLAlchemy URL): an empty "
                                                             "PostgreSQL database, or a SQLite file not there yet")
    args = parser.parse_args(argv)
    try:
        if args.command == "save":
            save(args.url or Settings.from_environment().warehouse_url, args.file)
            print(f"backup written: {args.file}")
        else:
            restore(args.file, args.url)
            print(f"backup restored into {make_url(args.url).database}")
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
