"""Cases handled in an area's communes: identified in the period (by type, supported in time, current status),
followed up in the period, closed in the period by reason.

Every count is a count of children, shown under the indicator cells' disclosure policy (``warehouse.report.counts``):
identified and by type are 4.2d's denominator, supported in time 1.2's numerator, closed 4.2c's count. Types,
statuses and closure reasons are listed in full (the codes of the case follow-up form), so a suppressed line
never tells a rare category exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, func, select

from warehouse.cases.case_workflow import load_workflow
from warehouse.indicators.periods import Period
from warehouse.report.area import ReportArea
from warehouse.report.counts import Count, PublishedCounts, unheld, unheld_parts
from warehouse.schema.models import Case, CaseVisit

CASE_TYPES = ("child_labourer", "at_risk", "trafficked")
CASE_STATUSES = ("open", "supported", "monitoring", "closed")
CLOSURE_REASONS = tuple(load_workflow().closure_reasons)


@dataclass(frozen=True)
class CaseSummary:
    identified: Count  # cases identified in the period
    supported_in_time: Count  # of those, supported in time and followed up (indicator 1.2)
    by_type: tuple[tuple[str, Count], ...]
    by_status: tuple[tuple[str, Count], ...]  # current status of the cases identified in the period
    followed_up: Count  # cases with a follow-up visit in the period
    closed: Count  # cases closed in the period
    closed_by_reason: tuple[tuple[str, Count], ...]


def summarise_cases(engine: Engine, area: ReportArea, communes: list[str], period: Period) -> CaseSummary:
    c, v = Case, CaseVisit
    start, end = period.start, period.end + timedelta(days=1)
    with engine.connect() as conn:
        by_status = dict(conn.execute(select(c.status, func.count()).where(
            c.commune_code.in_(communes), c.identified_on >= start, c.identified_on < end).group_by(c.status)).all())
        by_reason = dict(conn.execute(select(c.closure_reason, func.count()).where(
            c.commune_code.in_(communes), c.closed_on >= start, c.closed_on < end).group_by(c.closure_reason)).all())
        followed = conn.execute(select(func.count(func.distinct(v.case_id))).join(c, c.case_id == v.case_id)
                                .where(c.commune_code.in_(communes), v.visit_date >= start, v.visit_date < end)
                                ).scalar_one()
    identified = PublishedCounts(engine, area, period, "4.2d", "cases")
    closed = PublishedCounts(engine, area, period, "4.2c", "cases").total(0)
    return CaseSummary(
        identified=identified.total(1),
        supported_in_time=PublishedCounts(engine, area, period, "1.2", "cases").total(0),
        by_type=identified.parts("case_type", CASE_TYPES, 1),
        by_status=unheld_parts(area, by_status, CASE_STATUSES, identified.total(1)),
        followed_up=unheld(area, followed),
        closed=closed,
        closed_by_reason=unheld_parts(area, by_reason, CLOSURE_REASONS, closed),
    )
