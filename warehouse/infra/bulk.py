"""Bulk writes for the hot paths: many rows in one round trip, without per-row SQLAlchemy parameter building.

``insert_rows`` sends rows as plain tuples: ``COPY … FROM STDIN`` on PostgreSQL (psycopg), ``executemany``
on SQLite. Values must already be what the column stores: ``str``, numbers, ``bool``, ``datetime.date`` or
``None``; a JSON column takes its JSON text (see :func:`json_text`). Columns without a value get their default
(autoincrement ids). It runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any

import pandas as pd
import psycopg
from sqlalchemy import BigInteger, Boolean, Connection, Date, Float, Integer, String, Table
from sqlalchemy.exc import DBAPIError

DATABASE_ERRORS = (DBAPIError, sqlite3.Error, psycopg.Error)  # what a write may raise: wrapped by SQLAlchemy, or
#                                                           the driver's own from a COPY or a driver-level call


def json_text(value: Any) -> str:
    """The JSON text stored for ``value``: keys sorted, non-ASCII kept (``None`` is JSON ``null``, as
    SQLAlchemy's JSON type stores it)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; returns how many."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)
    return len(rows)


def unstorable(table: Table, row: Mapping[str, Any]) -> str | None:
    """The first column of ``table`` whose value in ``row`` a backend would refuse, or store otherwise than the
    other, or ``None``: a value of another type (an object, a list, text where a number belongs), a text longer
    than its column or holding a NUL or a lone surrogate, an integer beyond the column, a number that is not
    finite, NULL where the column refuses it. Checked value by value: a step checks a batch only once writing it
    failed."""
    checks = _checks(table)
    for name, value in row.items():
        check = checks.get(name)
        if check is not None and not check(value):
            return name
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


@cache
def _checks(table: Table) -> dict[str, Callable[[Any], bool]]:
    checks = {}
    for column in table.columns:
        kind, check = column.type, None
        if isinstance(kind, String):
            check = _text_check(kind.length)
        elif isinstance(kind, (Integer, BigInteger)):
            bound = 2 ** 63 if isinstance(kind, BigInteger) else 2 ** 31
            check = lambda v, bound=bound: v.__class__ is int and -bound <= v < bound  # noqa: E731
        elif isinstance(kind, Float):
            check = lambda v: v.__class__ in (int, float) and abs(v) <= sys.float_info.max  # noqa: E731 (not NaN)
        elif isinstance(kind, Boolean):
            check = lambda v: v.__class__ is bool  # noqa: E731
        elif isinstance(kind, Date):
            check = lambda v: v.__class__ is date  # noqa: E731
        if check is not None:
            checks[column.name] = _or_null(check, column.nullable)
    return checks


def _text_check(length: int | None) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        return (v.__class__ is str and (length is None or len(v) <= length) and "\x00" not in v
                and (v.isascii() or _SURROGATE.search(v) is None))
    return check


def _or_null(check: Callable[[Any], bool], nullable: bool) -> Callable[[Any], bool]:
    return (lambda v: v is None or check(v)) if nullable else (lambda v: v is not None and check(v))


class FreshStatistics:
    """Keeps the planner's statistics up to date during a long load.

    A table filled from empty within a run has no statistics until someone gathers them. PostgreSQL's planner
    then takes it for tiny and reads it whole for every lookup by key (a batch's ``instance_id IN (…)``, a
    checkpoint's ``change_seq > …``): each batch costs the table's size and the load turns quadratic. SQLite's
    planner guesses join orders: the survey counts' three-table join took 16 s at 1M children from the
    classifications' side, 10 s from the children's once it knew the tables' sizes. Gathering statistics
    whenever the rows written in this run have doubled (1,000, 2,000, 4,000 …) costs a few ``ANALYZE`` a run
    (on SQLite sampled: ``analysis_limit``, milliseconds).
    """

    def __init__(self, *tables: str, first: int = 1000) -> None:
        self.tables, self.next = tables, first  # no tables: every table of the database

    def written(self, conn: Connection, total: int) -> None:
        """Call after each batch with the rows written so far in this run."""
        if total < self.next:
            return
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_ROWS}")
        quote = conn.dialect.identifier_preparer.quote
        for table in self.tables or ("",):
            conn.exec_driver_sql(f"ANALYZE {quote(table)}" if table else "ANALYZE")
        self.next = 2 * total


SQLITE_ANALYSIS_ROWS = 1000  # rows of each index SQLite samples for its statistics


@dataclass
class TableRows:
    """One table's rows for :func:`insert_rows`: tuples in ``columns`` order. What a worker process hands over:
    half the pickle of the same dicts, and read back in half the time."""

    columns: list[str]
    values: list[tuple]

    @classmethod
    def of(cls, dicts: list[dict[str, Any]]) -> TableRows:
        """The rows of dicts that all have the same keys."""
        if not dicts:
            return cls([], [])
        columns = list(dicts[0])
        value = itemgetter(*columns)
        return cls(columns, [value(d) for d in dicts] if len(columns) > 1 else [(value(d),) for d in dicts])

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> TableRows:
        """The rows of a pandas frame; NaN and NA become ``None``."""
        columns = list(frame.columns)
        values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
        return cls(columns, list(zip(*values, strict=True)))

    def insert_into(self, conn: Connection, table: Table) -> int:
        return insert_rows(conn, table, self.columns, self.values)


def read_frame(conn: Connection, statement, columns: list[str]) -> pd.DataFrame:
    """The rows of ``statement`` as a pandas frame with ``columns`` (built from plain tuples: pandas inspects
    SQLAlchemy rows one by one, four times slower)."""
    return pd.DataFrame([tuple(row) for row in conn.execute(statement)], columns=columns)


INSERT_CHUNK = 50_000  # rows of a frame turned into tuples at a time


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """:func:`insert_rows` for a pandas frame whose columns are the table's; NaN and NA become NULL."""
    for start in range(0, len(frame), INSERT_CHUNK):
        TableRows.of_frame(frame.iloc[start:start + INSERT_CHUNK]).insert_into(conn, table)
    return len(frame)
