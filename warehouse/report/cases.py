"""Cases handled in an area's communes: identified in the year (by type, supported in time, current status),
followed up in the year, closed in the year by reason.

Every count is a count of children: small counts are suppressed (``disclosure.toml``, ``[summaries]``). Types,
statuses and closure reasons are listed in full (the codes of the case follow-up form), so a suppressed line
never tells a rare category exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, func, select

from warehouse.case_workflow import load_workflow
from warehouse.disclosure import load_policy
from warehouse.indicators import IndicatorSettings
from warehouse.models import Case, CaseVisit
from warehouse.periods import Period
from warehouse.report.counts import Count, protected_part, protected_total

CASE_TYPES = ("child_labourer", "at_risk", "trafficked")
CASE_STATUSES = ("open", "supported", "monitoring", "closed")
CLOSURE_REASONS = tuple(load_workflow().closure_reasons)


@dataclass(frozen=True)
class CaseSummary:
    identified: Count  # cases identified in the year
    supported_in_time: Count  # of those, supported in time and followed up (indicator 1.2)
    by_type: tuple[tuple[str, Count], ...]
    by_status: tuple[tuple[str, Count], ...]  # current status of the cases identified in the year
    followed_up: Count  # cases with a follow-up visit in the year
    closed: Count  # cases closed in the year
    closed_by_reason: tuple[tuple[str, Count], ...]


def summarise_cases(engine: Engine, communes: list[str], period: Period, settings: IndicatorSettings) -> CaseSummary:
    min_cell = load_policy().summary_min_count
    c, v = Case, CaseVisit
    start, end = period.start, period.end + timedelta(days=1)
    of_period = (c.identified_on >= start) & (c.identified_on < end)
    with engine.connect() as conn:
        by_type = dict(conn.execute(select(c.case_type, func.count())
                                    .where(c.commune_code.in_(communes), of_period).group_by(c.case_type)).all())
        by_status = dict(conn.execute(select(c.status, func.count())
                                      .where(c.commune_code.in_(communes), of_period).group_by(c.status)).all())
        closed = dict(conn.execute(select(c.closure_reason, func.count()).where(
            c.commune_code.in_(communes), c.closed_on >= start, c.closed_on < end).group_by(c.closure_reason)).all())
        followed = conn.execute(select(func.count(func.distinct(v.case_id))).join(c, c.case_id == v.case_id)
                                .where(c.commune_code.in_(communes), v.visit_date >= start, v.visit_date < end)
                                ).scalar_one()
    identified, closed_total = sum(by_type.values()), sum(closed.values())
    return CaseSummary(
        identified=protected_total(identified, min_cell),
        supported_in_time=protected_part(_supported_in_time(engine, communes, period, settings), identified,
                                         min_cell),
        by_type=_parts(by_type, CASE_TYPES, identified, min_cell),
        by_status=_parts(by_status, CASE_STATUSES, identified, min_cell),
        followed_up=protected_total(followed, min_cell),
        closed=protected_total(closed_total, min_cell),
        closed_by_reason=_parts(closed, CLOSURE_REASONS, closed_total, min_cell),
    )


def _supported_in_time(engine: Engine, communes: list[str], period: Period, settings: IndicatorSettings) -> int:
    """Cases of the period supported in time as indicator 1.2 counts them: a first support within the workflow's
    time limit from identification (shorter when urgent when reported), and at least one follow-up."""
    c, workflow = Case, load_workflow()
    with engine.connect() as conn:
        rows = conn.execute(select(c.identified_on, c.first_support_on, c.urgent_at_report).where(
            c.commune_code.in_(communes), c.identified_on.between(period.start, period.end), c.visits >= 1,
            c.first_support_on.is_not(None))).all()
    return sum(first <= workflow.due_on("first_support", identified, urgent) for identified, first, urgent in rows)


def _parts(counts: dict, codes: tuple[str, ...], total: int, min_cell: int) -> tuple[tuple[str, Count], ...]:
    extra = sorted(str(code) if code is not None else "unknown" for code in counts if code not in codes)
    values = {str(code) if code is not None else "unknown": n for code, n in counts.items()}
    return tuple((code, protected_part(values.get(code, 0), total, min_cell)) for code in (*codes, *extra))
