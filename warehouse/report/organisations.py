"""Activities by organising body and year over several years: the report district Youth Unions send the provincial
one (Ninh Thuận's 2016–2020 plan), and the part by organisation of a multi-year review.

A unit is an organiser (``organiser_type`` and, for a mass organisation, ``organisation``) at its level
(``organiser_level``) and, below the province, the old district of the activity's commune (only pre-July-2025
reports have districts: a district Youth Union's report is its district's rows). An old province's activities are
those coded in its old communes; a current province's are those in its communes, and the old-coded ones of the old
communes that went to them. Each kind of report keeps its own measures: participants and people reached anew of
reports with an audience; airings, copies and an estimated reach (never people informed) of media and materials;
pledges, parents sanctioned (suppressed below the small-cell threshold: they are people), child consultations,
supervision visits, contests and campaign activities.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select

from warehouse.indicators.disclosure import load_policy
from warehouse.report.area import LEGACY, ReportArea
from warehouse.report.counts import protected_total
from warehouse.schema.models import Activity, ActivityReach, AreaCommune, LegacyCommune

RECORDS = ("campaign_activities", "contests", "airings", "copies", "estimated_reach", "pledges_signed",
           "sanctioned_people", "child_consultations", "supervision_visits")  # beyond participants and reach
MEASURES = ("activities", "trainings", "participants", "participants_male", "participants_female", "reached_new",
            "trained_new", *RECORDS)
UNIT_KEYS = ["organiser_type", "organisation", "organiser_level", "district_code"]


@dataclass(frozen=True)
class Unit:
    organiser_type: str | None
    organisation: str | None  # of a mass organisation
    level: str | None  # national, provincial, district, commune; None before form version 2026120702
    district_code: str | None  # an old district, for a district unit
    district_name: str | None


@dataclass(frozen=True)
class UnitYear:
    unit: Unit
    year: int
    measures: dict[str, int | None]  # MEASURES; None: suppressed


@dataclass(frozen=True)
class OrganisationReport:
    area: ReportArea
    area_name: str
    first_year: int
    last_year: int
    organisation: str | None  # only this mass organisation's units (e.g. youth_union); None: every organiser
    rows: tuple[UnitYear, ...]  # by unit, then year; a unit-year without activities is not listed
    totals: tuple[UnitYear, ...]  # all units, per year (unit fields empty)


def organisation_report(engine: Engine, area: ReportArea, first_year: int, last_year: int,
                        organisation: str | None = None) -> OrganisationReport:
    """The activities of ``area`` (a province, current or old) from ``first_year`` to ``last_year`` by unit and
    year, of one mass ``organisation`` or of every organiser."""
    name, frame = _activities(engine, area, first_year, last_year)
    min_cell = load_policy().summary_min_count
    if organisation is not None:
        frame = frame[frame["organisation"] == organisation]
    districts = frame.drop_duplicates("district_code").set_index("district_code")["district_name"].to_dict()
    keyed = frame.astype({k: object for k in UNIT_KEYS}).fillna({k: "" for k in UNIT_KEYS})
    rows = tuple(UnitYear(Unit(*(key[i] or None for i in range(4)), districts.get(key[3] or None)), int(key[4]),
                          measures(group, min_cell))
                 for key, group in keyed.groupby([*UNIT_KEYS, "year"], sort=True))
    totals = tuple(UnitYear(Unit(None, None, None, None, None), int(year), measures(group, min_cell))
                   for year, group in frame.groupby("year", sort=True))
    return OrganisationReport(area, name, first_year, last_year, organisation, rows, totals)


def measures(group: pd.DataFrame, min_cell: int) -> dict[str, int | None]:
    """The ``MEASURES`` of a set of activities (rows of :func:`activity_frame`)."""
    kind = group["activity_type"]
    campaign = group["campaign"].notna() & (group["campaign"] != "no_campaign")
    counts = {
        "activities": len(group), "trainings": int(group["training"].sum()),
        "participants": group["participants_total"].sum(), "participants_male": group["participants_male"].sum(),
        "participants_female": group["participants_female"].sum(), "reached_new": group["reached_new"].sum(),
        "trained_new": group["trained_new"].sum(), "campaign_activities": int(campaign.sum()),
        "contests": int((kind == "contest_performance").sum()), "airings": group["airings"].sum(),
        "copies": group["copies"].sum(), "estimated_reach": group["estimated_reach"].sum(),
        "pledges_signed": group["pledges_signed"].sum(),
        "child_consultations": int((kind == "child_consultation").sum()),
        "supervision_visits": int((kind == "supervision_visit").sum()),
    }
    measures = {name: int(value) for name, value in counts.items()}
    measures["sanctioned_people"] = protected_total(int(group["sanctioned_people"].sum()), min_cell).value
    return {name: measures[name] for name in MEASURES}


def _activities(engine: Engine, area: ReportArea, first_year: int, last_year: int) -> tuple[str, pd.DataFrame]:
    """The area's name, and its activities of the years with their unit, old district and reach."""
    a, lc, ac = Activity, LegacyCommune, AreaCommune
    with engine.connect() as conn:
        if area.legacy:
            old = conn.execute(select(lc.legacy_code, lc.legacy_district_code, lc.legacy_district_name,
                                      lc.legacy_province_name).distinct()
                               .where(lc.legacy_province_code == area.code)).all()
            name = old[0].legacy_province_name if old else area.code
            where = and_(a.code_list_version == LEGACY, a.commune_code.in_([o.legacy_code for o in old]))
        else:
            members = conn.scalars(select(ac.commune_code).where(
                ac.area_level == area.level, ac.area_code == area.code,
                ac.code_list_version == area.code_list_version)).all()
            name = conn.scalar(select(ac.area_name).where(ac.area_level == area.level, ac.area_code == area.code,
                                                          ac.code_list_version == area.code_list_version)) or area.code
            old = conn.execute(select(lc.legacy_code, lc.legacy_district_code, lc.legacy_district_name,
                                      lc.legacy_province_name).distinct().where(lc.commune_code.in_(members))).all()
            where = or_(and_(a.code_list_version == area.code_list_version, a.commune_code.in_(members)),
                        and_(a.code_list_version == LEGACY, a.commune_code.in_([o.legacy_code for o in old])))
    return name, activity_frame(engine, and_(where, a.year >= first_year, a.year <= last_year),
                                {o.legacy_code: (o.legacy_district_code, o.legacy_district_name) for o in old})


def activity_frame(engine: Engine, where, districts: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """The activities ``where`` holds with their reach summed, measures as numbers (none: 0) and, below the
    province, the old district (``districts``: old commune code → district code and name) of old-coded ones."""
    a, r = Activity, ActivityReach
    with engine.connect() as conn:
        reach = (select(r.activity_id, func.sum(r.reached_new).label("reached_new"),
                        func.sum(func.coalesce(r.reached_new_trained, 0)).label("trained_new"))
                 .group_by(r.activity_id).subquery())
        columns = [a.year, a.commune_code, a.code_list_version, a.activity_type, a.training, a.campaign,
                   a.organiser_type, a.organisation, a.organiser_level, a.participants_total, a.participants_male,
                   a.participants_female, a.airings, a.copies, a.estimated_reach, a.pledges_signed,
                   a.sanctioned_people, reach.c.reached_new, reach.c.trained_new]
        rows = conn.execute(select(*columns).outerjoin(reach, reach.c.activity_id == a.activity_id)
                            .where(where)).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    district = districts or {}
    at_district = (frame["code_list_version"] == LEGACY) & ~frame["organiser_level"].isin(["provincial", "national"])
    frame["district_code"] = [district.get(c, (None, None))[0] if d else None
                              for c, d in zip(frame["commune_code"], at_district)]
    frame["district_name"] = [district.get(c, (None, None))[1] if d else None
                              for c, d in zip(frame["commune_code"], at_district)]
    numbers = ["participants_total", "participants_male", "participants_female", "airings", "copies",
               "estimated_reach", "pledges_signed", "sanctioned_people", "reached_new", "trained_new"]
    frame[numbers] = frame[numbers].apply(pd.to_numeric).fillna(0)
    frame["training"] = frame["training"].astype(bool)
    return frame
