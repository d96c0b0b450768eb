"""Completeness and timeliness: for each expected report (``reporting_expectation``), what the commune sent and when.

A submission counts for a period when it is in the clean table of its form (quarantined and rejected ones are not)
with its commune and its event date (activity, interview, inspection) in the period. It was received when the
platform received it (``raw_submission.submitted_at``), on the day that was in Vietnam; a time that does not parse
counts as received on the day assessed. A period is ``on_time`` when the submissions it needs were all received by
the end of its deadline, ``late`` when they were all received but the last of them after it, ``missing`` when the
deadline has passed without them, ``not_due`` before. Submissions received after the day assessed (``as_of``) do
not count, so a table can be rebuilt as it stood on an earlier day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, delete, insert, select

from connectors.forms import ACTIVITY_REPORT, HOUSEHOLD_SURVEY, WORKPLACE_INSPECTION
from warehouse.schema.admin_units import AdminUnits
from warehouse.schema.models import (
    Activity,
    Household,
    Inspection,
    RawSubmission,
    ReportingCompleteness,
    ReportingExpectation,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STATUSES = ("missing", "late", "not_due", "on_time")  # the order a data manager reads them in
# Each form's clean table and the date that places a submission in a period.
EVENTS = {ACTIVITY_REPORT: (Activity, Activity.activity_date),
          HOUSEHOLD_SURVEY: (Household, Household.interview_date),
          WORKPLACE_INSPECTION: (Inspection, Inspection.inspection_date)}


@dataclass(frozen=True)
class Assessment:
    received: int
    on_time: int
    late: int
    missing: int
    completed_on: date | None
    status: str


def received_on(submitted_at: str | None, as_of: date) -> date:
    """The day in Vietnam the platform received a submission (``as_of`` when its time does not parse)."""
    try:
        moment = datetime.fromisoformat(submitted_at)
    except (TypeError, ValueError):
        return as_of
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(VIETNAM).date()


def assess(expected: int, received_days: list[date], deadline: date, as_of: date) -> Assessment:
    """What ``received_days`` (the day each submission of the period was received) make of an expectation of
    ``expected`` submissions due by the end of ``deadline``, on the day ``as_of``."""
    days = sorted(d for d in received_days if d <= as_of)
    on_time = sum(d <= deadline for d in days)
    completed_on = days[expected - 1] if len(days) >= expected else None
    if completed_on is not None:
        status = "on_time" if completed_on <= deadline else "late"
    else:
        status = "missing" if as_of > deadline else "not_due"
    return Assessment(len(days), on_time, len(days) - on_time, max(0, expected - len(days)), completed_on, status)


def _received(engine: Engine, form_id: str, as_of: date) -> dict[tuple[str, str, str], list[date]]:
    """Each expectation of ``form_id`` (commune, code list, period) → the day each submission for it arrived."""
    table, event_date = EVENTS[form_id]
    e = ReportingExpectation
    query = (select(e.commune_code, e.code_list_version, e.period, RawSubmission.submitted_at)
             .join(table, and_(table.commune_code == e.commune_code, table.code_list_version == e.code_list_version,
                               event_date >= e.period_start, event_date <= e.period_end))
             .join(RawSubmission, RawSubmission.id == table.raw_submission_id)
             .where(e.form_id == form_id))
    received = defaultdict(list)
    with engine.connect() as conn:
        for commune, version, period, submitted_at in conn.execute(query):
            received[commune, version, period].append(received_on(submitted_at, as_of))
    return received


def build_completeness(engine: Engine, units: AdminUnits, as_of: date) -> list[dict]:
    """One row per expectation, as assessed on ``as_of``."""
    with engine.connect() as conn:
        expectations = conn.execute(select(ReportingExpectation)).all()
    received = {form_id: _received(engine, form_id, as_of) for form_id in sorted({e.form_id for e in expectations})}
    rows = []
    for e in expectations:
        commune = units.communes[e.commune_code]
        a = assess(e.expected, received[e.form_id].get((e.commune_code, e.code_list_version, e.period), []),
                   e.deadline, as_of)
        rows.append({"form_id": e.form_id, "commune_code": e.commune_code, "code_list_version": e.code_list_version,
                     "period": e.period, "province_code": commune.province_code, "commune_name": commune.name,
                     "period_start": e.period_start, "period_end": e.period_end, "deadline": e.deadline,
                     "expected": e.expected, "received": a.received, "on_time": a.on_time, "late": a.late,
                     "missing": a.missing, "completed_on": a.completed_on, "status": a.status, "as_of": as_of})
    return rows


def store_completeness(engine: Engine, rows: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(ReportingCompleteness))
        if rows:
            conn.execute(insert(ReportingCompleteness), rows)


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()
