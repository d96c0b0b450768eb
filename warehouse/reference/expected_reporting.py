"""The reporting communes owe: which commune sends which form how often, and by when, as data managers upload it.

A row of an expected-reporting spreadsheet says, for one form and commune, how often (``quarterly``, ``yearly`` or
``once``: a survey round), for which periods (``2025-Q3`` to ``2026-Q2``; ``2025`` to ``2026``; the first and last
day of a round), how many days after a period ends its reports are due, and how many submissions a period needs
(1 activity report; a round's households; the inspections planned). Each row becomes one expectation per period.
Files are validated whole like the other reference spreadsheets (``reference_data``): every problem is
listed with its row, and two rows whose periods overlap for the same form and commune are refused, so no
submission is counted for two periods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

import pandas as pd

from connectors.forms import ACTIVITY_REPORT, HOUSEHOLD_SURVEY, WORKPLACE_INSPECTION
from warehouse.infra.messages import text
from warehouse.reference.reference_data import WHOLE, YEARS, ReferenceDataError, _has_nul, _records, _refuse, _row
from warehouse.schema.admin_units import AdminUnits

KIND = "expected_reporting"
COLUMNS = ("form_id", "commune_code", "code_list_version", "frequency", "period_from", "period_to",
           "days_to_report", "expected", "note")
FORMS = (ACTIVITY_REPORT, HOUSEHOLD_SURVEY, WORKPLACE_INSPECTION)
FREQUENCIES = ("quarterly", "yearly", "once")
MAX_DAYS_TO_REPORT = 366
MAX_EXPECTED = 100_000
QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
YEAR = re.compile(r"[0-9]{4}")
PERIOD_EXAMPLES = {"quarterly": "2026-Q2", "yearly": "2026", "once": "2026-06-01"}


def _quarter(text: str) -> tuple[int, int] | None:
    match = QUARTER.fullmatch(text)
    return (int(match[1]), int(match[2])) if match and int(match[1]) in YEARS else None


def _year(text: str) -> int | None:
    return int(text) if YEAR.fullmatch(text) and int(text) in YEARS else None


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text[:10]) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00)?", text) else None
    except ValueError:
        return None
    return day if day and day.year in YEARS else None


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    return first, (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)


def periods(frequency: str, period_from: str, period_to: str) -> list[tuple[str, date, date]] | None:
    """``(label, first day, last day)`` of each period from ``period_from`` to ``period_to``; ``None`` when either
    is not a period of ``frequency`` or the first comes after the last."""
    if frequency == "quarterly":
        first, last = _quarter(period_from), _quarter(period_to)
        if first is None or last is None or first > last:
            return None
        index = range(first[0] * 4 + first[1] - 1, last[0] * 4 + last[1])
        return [(f"{i // 4}-Q{i % 4 + 1}", *quarter_days(i // 4, i % 4 + 1)) for i in index]
    if frequency == "yearly":
        first, last = _year(period_from), _year(period_to)
        if first is None or last is None or first > last:
            return None
        return [(str(y), date(y, 1, 1), date(y, 12, 31)) for y in range(first, last + 1)]
    start, end = _day(period_from), _day(period_to)
    if start is None or end is None or start > end:
        return None
    return [(f"{start.isoformat()}/{end.isoformat()}", start, end)]


def _whole(text: str, low: int, high: int) -> int | None:
    if not WHOLE.fullmatch(text):
        return None
    value = int(text.removesuffix(".0"))
    return value if low <= value <= high else None


def validate(frame: pd.DataFrame, name: str, units: AdminUnits) -> list[dict]:
    """The expectations of one file, one per period, or :class:`ReferenceDataError` listing every problem."""
    problems, rows = [], []
    for number, row in enumerate(_records(frame), start=2):
        here = _row(number)
        if _has_nul(row):
            problems.append(text("reference.nul", row=here))
        if row["form_id"] not in FORMS:
            problems.append(text("reference.one_of", row=here, column="form_id", allowed=", ".join(FORMS)))
        if row["code_list_version"] != units.code_list_version or row["commune_code"] not in units.communes:
            problems.append(text("reference.commune_not_current", row=here, code=repr(row["commune_code"]),
                                 version=repr(row["code_list_version"]), current=units.code_list_version))
        expanded = None
        if row["frequency"] not in FREQUENCIES:
            problems.append(text("reference.one_of", row=here, column="frequency", allowed=", ".join(FREQUENCIES)))
        else:
            expanded = periods(row["frequency"], row["period_from"], row["period_to"])
            if expanded is None:
                problems.append(text("reference.periods", row=here, frequency=row["frequency"],
                                     example=PERIOD_EXAMPLES[row["frequency"]]))
        days = _whole(row["days_to_report"], 0, MAX_DAYS_TO_REPORT)
        if days is None:
            problems.append(text("reference.whole_range", row=here, column="days_to_report", low=0,
                                 high=MAX_DAYS_TO_REPORT))
        expected = _whole(row["expected"], 1, MAX_EXPECTED)
        if expected is None:
            problems.append(text("reference.whole_range", row=here, column="expected", low=1,
                                 high=f"{MAX_EXPECTED:,}"))
        for label, start, end in expanded or ():
            rows.append({
                "form_id": row["form_id"], "commune_code": row["commune_code"],
                "code_list_version": row["code_list_version"], "period": label, "frequency": row["frequency"],
                "period_start": start, "period_end": end, "deadline": end + timedelta(days=days or 0),
                "expected": expected or 0, "note": row["note"] or None, "source_row": number})
    _refuse(name, problems)
    _refuse(name, [text("reference.overlaps", row=_row(b["source_row"]), earlier=a["source_row"], form=a["form_id"],
                        commune=a["commune_code"], period=a["period"], other=b["period"])
                   for (_, a), (_, b) in _overlapping({name: rows})])
    return rows


def _overlapping(uploads: Mapping[str, list[dict]]) -> list[tuple[tuple[str, dict], tuple[str, dict]]]:
    """Pairs of periods (each with its file) of the same form and commune that share a day, the earlier first."""
    ordered = sorted(((name, r) for name, rows in uploads.items() for r in rows),
                     key=lambda item: (item[1]["form_id"], item[1]["commune_code"], item[1]["period_start"]))
    pairs, latest = [], None
    for item in ordered:
        same = latest and (latest[1]["form_id"], latest[1]["commune_code"]) == (item[1]["form_id"],
                                                                              item[1]["commune_code"])
        if same and item[1]["period_start"] <= latest[1]["period_end"]:
            pairs.append((latest, item))
        if not same or item[1]["period_end"] > latest[1]["period_end"]:
            latest = item
    return pairs


def check_files_apart(uploads: Mapping[str, list[dict]]) -> None:
    """Refuse (nothing stored) when periods of two files overlap for the same form and commune."""
    problems = [text("reference.overlap_files", a=fa, ra=a["source_row"], b=fb, rb=b["source_row"], form=a["form_id"],
                     commune=a["commune_code"], pa=a["period"], pb=b["period"])
                for (fa, a), (fb, b) in _overlapping(uploads) if fa != fb]
    if problems:
        raise ReferenceDataError(text("reference.clashes") + "; ".join(problems), tuple(problems))
