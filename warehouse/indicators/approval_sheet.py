"""Approvals from sheets a data manager drops into ``<reference uploads>/approvals/``: one approval per row.

Columns: ``approver`` (the name), ``area_level``, ``area_code``, ``code_list_version`` (empty: the current list, or
``national`` for VN), ``period`` (``2026``, ``2026-Q3``), ``approved_on`` (the day signed, ``2026-11-25``) and
``note``. Unlike targets, a sheet is a record of events, not a state: a row is recorded once, with the data's
fingerprint when it is read, and a deleted sheet withdraws nothing. A row is skipped when its area and period
already have an approval of that day or later (the same sheet read again, or approved since), so an old sheet left
in the folder never reapproves what the data reopened. A sheet with any wrong row is refused whole, every problem
listed with its row; the name never appears in a message.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Connection, func, select

from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import approval
from warehouse.infra.messages import text
from warehouse.reference.reference_data import LEVELS, NATIONAL, ReferenceDataError, read_table
from warehouse.schema.models import Approval

COLUMNS = ("approver", "area_level", "area_code", "code_list_version", "period", "approved_on", "note")


def read_sheet(conn: Connection, path: Path, current_version: str, today: date) -> list[dict]:
    """The approvals of a sheet, checked: areas the warehouse has, periods, days not after ``today``."""
    problems, rows = [], []
    for number, row in enumerate(read_table(path, COLUMNS).to_dict("records"), start=2):
        here = text("reference.row", number=number)
        version = row["code_list_version"] or (NATIONAL if row["area_level"] == "national" else current_version)
        try:
            area = approval.AreaPeriod(row["area_level"], row["area_code"], version, row["period"])
            if row["area_level"] not in LEVELS:
                raise ValueError(text("approval.bad_level", allowed=", ".join(LEVELS)))
            approval.area_name(conn, area)
        except ValueError as error:
            problems.append(f"{here}: {error}")
            continue
        try:
            day = date.fromisoformat(row["approved_on"][:10])
        except ValueError:
            problems.append(f"{here}: {text('approval.bad_day')}")
            continue
        if day > today:
            problems.append(f"{here}: {text('approval.future_day', day=day.isoformat())}")
        if not row["approver"]:
            problems.append(f"{here}: {text('approval.no_approver')}")
        rows.append({"area": area, "approver": row["approver"], "note": row["note"] or None, "day": day})
    if problems:
        raise ReferenceDataError(text("approval.nothing_recorded", file=path.name) + "; ".join(problems),
                                 tuple(f"{path.name}: {p}" for p in problems))
    return rows


def record_sheets(conn: Connection, paths: list[Path], pseudonyms: Pseudonymizer, current_version: str,
                  today: date) -> tuple[list[int], int]:
    """Record the rows of every sheet not recorded yet (all sheets checked first: one wrong, none recorded), in
    the order signed. Returns the new approvals' ids and how many rows were skipped."""
    problems, rows = [], []
    for path in paths:
        try:
            rows += read_sheet(conn, path, current_version, today)
        except ReferenceDataError as error:
            problems += error.problems
    if problems:
        raise ReferenceDataError("\n".join(problems), tuple(problems))
    recorded, skipped, a = [], 0, Approval
    for row in sorted(rows, key=lambda r: r["day"]):
        at = row["day"].isoformat()
        latest = conn.execute(select(func.max(a.approved_at)).where(row["area"].cells(a))).scalar()
        if latest is not None and latest >= at:
            skipped += 1
            continue
        recorded.append(approval.approve(conn, row["area"], row["approver"], row["note"], pseudonyms, at=at))
    return recorded, skipped
