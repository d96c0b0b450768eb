"""Who has reported, who is late and who is missing, for an area's communes and periods ending in a year
(``reporting_completeness``), and each late or missing report in one sentence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Engine, func, select

from warehouse.indicators.periods import Period
from warehouse.quality.completeness import STATUSES, build_completeness
from warehouse.report.labels import Labels
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import ReportingCompleteness as Completeness


@dataclass(frozen=True)
class ReportingRow:
    form_id: str
    period: str
    period_start: date
    commune_code: str
    commune_name: str
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    deadline: date
    completed_on: date | None
    status: str


FIELDS = [f.name for f in fields(ReportingRow)]


@dataclass(frozen=True)
class CompletenessSummary:
    rows: tuple[ReportingRow, ...]  # missing first, then late, not yet due, on time
    as_of: date | None  # the day assessed; None when nothing is expected

    def of_status(self, status: str) -> tuple[ReportingRow, ...]:
        return tuple(r for r in self.rows if r.status == status)

    def counts(self) -> list[tuple[str, int]]:
        counts = Counter(r.status for r in self.rows)
        return [(status, counts[status]) for status in STATUSES]


def summarise_completeness(engine: Engine, communes: list[str] | None = None,
                           period: Period | None = None) -> CompletenessSummary:
    """The expected reports of ``communes`` for the periods ending in ``period`` (``None``: all)."""
    c = Completeness
    in_area = [] if communes is None else [c.commune_code.in_(communes)]
    if period is not None:
        in_area += [c.period_end >= period.start, c.period_end <= period.end]
    with engine.connect() as conn:
        rows = conn.execute(select(*(getattr(c, name) for name in FIELDS)).where(*in_area)).all()
        as_of = conn.execute(select(func.max(c.as_of)).where(*in_area)).scalar()
    return _summary([ReportingRow(*r) for r in rows], as_of)


def completeness_on(engine: Engine, communes: list[str], period: Period, day: date) -> CompletenessSummary:
    """The same as it stood at the end of ``day`` (a report's data cut-off), assessed again rather than read."""
    rows = [ReportingRow(**{k: r[k] for k in FIELDS}) for r in build_completeness(engine, load_admin_units(), day)
            if r["commune_code"] in communes and period.start <= r["period_end"] <= period.end]
    return _summary(rows, day)


def _summary(rows: list[ReportingRow], as_of: date | None) -> CompletenessSummary:
    """Missing first, then late, not yet due and on time; each by form, period and commune."""
    ordered = sorted(rows, key=lambda r: (STATUSES.index(r.status), r.form_id, r.period_start, r.commune_code))
    return CompletenessSummary(tuple(ordered), as_of)


def period_label(labels: Labels, period: str, date_format) -> str:
    """``2026-Q2`` as "Quý 2/2026", ``2026`` as "Năm 2026", a round's first and last day as dates."""
    year, sep, quarter = period.partition("-Q")
    if sep:
        return labels("period_quarter", q=quarter, year=year)
    if "/" in period:
        start, end = (date.fromisoformat(d) for d in period.split("/"))
        return labels("period_round", start=date_format(start), end=date_format(end))
    return labels("period_year", year=period)


def sentence(labels: Labels, row: ReportingRow, date_format) -> str:
    """A late or missing report: the commune by name and code, the form, the period, the deadline, what came."""
    words = {"commune": labels("commune_with_code", name=row.commune_name, code=row.commune_code),
             "form": labels(f"form_{row.form_id}"), "period": period_label(labels, row.period, date_format),
             "deadline": date_format(row.deadline), "received": row.received, "expected": row.expected}
    if row.status == "late":
        return labels("late_line", completed=date_format(row.completed_on), **words)
    return labels("missing_line", **words)
