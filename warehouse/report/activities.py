"""Communication activities and training courses carried out in an area's communes in a period, and the
measures of the other kinds of report (campaigns, contests, media and materials, pledges, sanctions, child
consultations, supervision visits: ``warehouse.report.organisations``).

Activity counts and participants are not counts of identified children: they are shown as they are; parents
sanctioned are suppressed under the small-cell threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, and_, case, func, select

from warehouse.indicators.periods import Period
from warehouse.report.organisations import RECORDS, activity_frame, measures
from warehouse.schema.models import Activity, ActivityReach


@dataclass(frozen=True)
class ActivityType:
    code: str
    activities: int
    participants: int


@dataclass(frozen=True)
class AudienceReach:
    """One audience group: activities that reached it, and people (establishments) attending, reached for the
    first time this year, trained for the first time this year."""

    code: str
    activities: int
    reached: int
    reached_new: int
    trained_new: int


@dataclass(frozen=True)
class ActivitySummary:
    activities: int
    trainings: int
    participants: int
    participants_male: int
    participants_female: int
    by_type: tuple[ActivityType, ...]
    by_audience: tuple[AudienceReach, ...]
    records: tuple[tuple[str, int | None], ...] = ()  # RECORDS that are not zero (None: suppressed)

    @property
    def participants_sex_not_reported(self) -> int:
        return self.participants - self.participants_male - self.participants_female

    @property
    def reached_new(self) -> int:
        return sum(a.reached_new for a in self.by_audience)

    @property
    def trained_new(self) -> int:
        return sum(a.trained_new for a in self.by_audience)


def summarise_activities(engine: Engine, communes: list[str], period: Period, min_cell: int) -> ActivitySummary:
    a, r = Activity, ActivityReach
    in_area = (a.commune_code.in_(communes), period.in_period(a.year, a.quarter))
    with engine.connect() as conn:
        activities, trainings, total, male, female = conn.execute(select(
            func.count(), func.coalesce(func.sum(case((a.training, 1), else_=0)), 0),
            func.coalesce(func.sum(a.participants_total), 0), func.coalesce(func.sum(a.participants_male), 0),
            func.coalesce(func.sum(a.participants_female), 0)).where(*in_area)).one()
        by_type = conn.execute(
            select(a.activity_type, func.count(), func.coalesce(func.sum(a.participants_total), 0))
            .where(*in_area).group_by(a.activity_type).order_by(func.count().desc(), a.activity_type)).all()
        by_audience = conn.execute(
            select(r.audience, func.count(), func.sum(r.reached), func.sum(r.reached_new),
                   func.coalesce(func.sum(r.reached_new_trained), 0))
            .join(a, a.activity_id == r.activity_id).where(*in_area)
            .group_by(r.audience).order_by(func.sum(r.reached).desc(), r.audience)).all()
    found = measures(activity_frame(engine, and_(*in_area)), min_cell)
    return ActivitySummary(
        records=tuple((name, found[name]) for name in RECORDS if found[name] != 0),
        activities=activities, trainings=int(trainings), participants=int(total), participants_male=int(male),
        participants_female=int(female),
        by_type=tuple(ActivityType(code, n, int(p)) for code, n, p in by_type),
        by_audience=tuple(AudienceReach(code, n, int(reached), int(new), int(trained))
                          for code, n, reached, new, trained in by_audience),
    )
