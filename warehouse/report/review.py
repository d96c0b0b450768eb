"""A multi-year review of an area (the programme's mid-term or final review, e.g. 2021–2025): each indicator
per year with the target in force and its status, as published in ``indicator_value``, and the activities by
organising body and year (``warehouse.report.organisations``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from warehouse.classify.classification import VN_LAW
from warehouse.indicators.indicators import IndicatorSettings, load_settings
from warehouse.indicators.periods import Period
from warehouse.report.area import ReportArea
from warehouse.report.indicator_results import RULE_SETS, _targets_of_missing
from warehouse.report.organisations import OrganisationReport, organisation_report
from warehouse.schema.models import IndicatorValue


@dataclass(frozen=True)
class YearValue:
    year: int
    numerator: int | None
    denominator: int | None
    value: float | None  # None: suppressed, no data or no denominator (``status`` says which)
    status: str
    target_comparator: str | None
    target_value: float | None
    target_year: int | None


@dataclass(frozen=True)
class IndicatorYears:
    indicator_id: str
    source: str
    unit: str
    years: tuple[YearValue, ...]  # every year of the review; "no_data" (with its target) where there is no cell


@dataclass(frozen=True)
class Review:
    area: ReportArea
    area_name: str
    first_year: int
    last_year: int
    indicators: tuple[IndicatorYears, ...]  # catalogue order
    organisations: OrganisationReport


def gather_review(engine: Engine, area: ReportArea, first_year: int, last_year: int,
                  settings: IndicatorSettings | None = None) -> Review:
    """The review of ``area`` over ``first_year``–``last_year``; classified indicators under the ``vn_law`` rules."""
    settings = settings or load_settings()
    iv = IndicatorValue
    with engine.connect() as conn:
        rows = conn.execute(select(iv.__table__).where(
            iv.area_level == area.level, iv.area_code == area.code, iv.code_list_version == area.code_list_version,
            iv.period_type == "year", iv.dimension == "total", iv.rule_set.in_(RULE_SETS),
            iv.period >= str(first_year), iv.period <= str(last_year))).all()
    cells = {}
    for row in (r._mapping for r in rows):
        if row["rule_set"] == VN_LAW or (row["indicator_id"], row["source"], row["period"]) not in cells:
            cells[(row["indicator_id"], row["source"], row["period"])] = row
    for year in range(first_year, last_year + 1):  # no cell: no data, with the target in force all the same
        missing = [(s.indicator_id, s.source) for s in settings.specs
                   if (s.indicator_id, s.source, str(year)) not in cells]
        for (indicator_id, source), row in _targets_of_missing(engine, area, Period(year), missing).items():
            cells[(indicator_id, source, str(year))] = row
    indicators = tuple(IndicatorYears(spec.indicator_id, spec.source, spec.unit, tuple(
        _year(cells[(spec.indicator_id, spec.source, str(year))], year) for year in range(first_year, last_year + 1)))
        for spec in settings.specs)
    organisations = organisation_report(engine, area, first_year, last_year)
    return Review(area, organisations.area_name, first_year, last_year, indicators, organisations)


def _year(cell, year: int) -> YearValue:
    target_year = cell["target_year"]
    return YearValue(year, _whole(cell["numerator"]), _whole(cell["denominator"]), _real(cell["value"]),
                     cell["status"], cell["target_comparator"], _real(cell["target_value"]), _whole(target_year))


def _real(value) -> float | None:
    return None if value is None or value != value else float(value)  # NaN: none


def _whole(value) -> int | None:
    return None if value is None or value != value else int(value)
