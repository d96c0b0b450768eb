"""Everything a progress report of a year, a half-year or a quarter shows, gathered once from the warehouse; the
workbook and the page render it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Engine

from warehouse.indicators.approval import PROVISIONAL, ApprovalState, AreaPeriod, state_of
from warehouse.indicators.cutoff import warehouse_as_of
from warehouse.indicators.disclosure import load_policy
from warehouse.indicators.indicators import IndicatorSettings, load_settings
from warehouse.indicators.periods import DateRange, Period
from warehouse.indicators.range_cells import protect_range_cells
from warehouse.report.activities import ActivitySummary, summarise_activities
from warehouse.report.area import AreaDetails, ReportArea, area_details
from warehouse.report.cases import CaseSummary, summarise_cases
from warehouse.report.completeness import CompletenessSummary, completeness_on, summarise_completeness
from warehouse.report.indicator_results import IndicatorResult, gather_indicators
from warehouse.report.inspections import InspectionSummary, summarise_inspections
from warehouse.report.programme import ProgrammeRegisters, gather_programme

STATUS_ORDER = ("met", "on_track", "cannot_tell", "off_track", "no_target", "suppressed", "no_denominator", "no_data")


@dataclass(frozen=True)
class ProgressReport:
    area: ReportArea
    details: AreaDetails
    period: Period | DateRange  # a year, a half-year, a quarter or an ad-hoc date range
    generated_on: date
    min_cell: int  # a commune's counts of children below this are suppressed
    settings_version: str
    indicator_names: dict[str, dict]  # the catalogue's names: {indicator_id: {"vi": …, "en": …}}
    indicators: tuple[IndicatorResult, ...]
    activities: ActivitySummary
    inspections: InspectionSummary
    cases: CaseSummary
    completeness: CompletenessSummary
    approval: ApprovalState = ApprovalState(PROVISIONAL)  # of the area's figures for the period
    cutoff: date | None = None  # only what was submitted by the end of this day (Vietnam time) counts
    programme: ProgrammeRegisters = ProgrammeRegisters()  # pilot communes, responsible sectors, budget

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def exact_territory(self) -> bool:
        return all(c.exact for c in self.details.communes)

    def statuses(self) -> list[tuple[str, int]]:
        """How many indicators have each status, in the order met, on track, cannot tell, off track … no data."""
        counts = Counter(r.cell.status for r in self.indicators)
        return [(status, counts[status]) for status in STATUS_ORDER if counts[status]]


def gather_report(engine: Engine, area: ReportArea, period: Period | DateRange | int,
                  settings: IndicatorSettings | None = None, generated_on: date | None = None,
                  cutoff: date | None = None) -> ProgressReport:
    """The progress report of ``area`` for ``period`` (a year, a half-year or a quarter; an int: that year), from
    the published indicators and the programme's records; with a ``cutoff``, from what was submitted by the end of
    that day (``warehouse.indicators.cutoff``). A ``DateRange`` (an ad-hoc report) is computed from the data of its days
    submitted by ``cutoff`` (default: ``generated_on``), its cells protected (``warehouse.indicators.range_cells``)."""
    settings = settings or load_settings()
    period = period if isinstance(period, Period | DateRange) else Period(period)
    if isinstance(period, DateRange):
        return _range_report(engine, area, period, settings, generated_on or date.today(), cutoff)
    area_period = AreaPeriod(area.level, area.code, area.code_list_version, period.key)
    if cutoff is not None:
        with warehouse_as_of(engine, cutoff, area_period, settings) as as_of:
            report = gather_report(as_of, area, period, settings, generated_on)
        communes = [c.code for c in report.details.communes]
        return replace(report, cutoff=cutoff, completeness=completeness_on(engine, communes, period, cutoff))
    with engine.connect() as conn:
        approval = state_of(conn, area_period)
    details = area_details(engine, area)
    communes = [c.code for c in details.communes]
    indicators = gather_indicators(engine, area, details, period, settings)
    return ProgressReport(
        area=area, details=details, period=period, generated_on=generated_on or date.today(),
        min_cell=load_policy().min_count, settings_version=settings.version, indicator_names=settings.names,
        indicators=indicators, programme=gather_programme(engine, area, details, period, settings, indicators),
        activities=summarise_activities(engine, communes, period, load_policy().summary_min_count),
        inspections=summarise_inspections(engine, area, communes, period, settings),
        cases=summarise_cases(engine, area, communes, period),
        approval=approval,
        completeness=summarise_completeness(engine, communes, period),
    )


def _range_report(engine: Engine, area: ReportArea, span: DateRange, settings: IndicatorSettings,
                  generated_on: date, cutoff: date | None) -> ProgressReport:
    """The report of the year on a copy holding only the range's data, named by the range; no trend (the copy's
    other periods are parts of the range) and no approval (ranges are not approved)."""
    cutoff = cutoff or generated_on
    year = AreaPeriod(area.level, area.code, area.code_list_version, str(span.year))
    with warehouse_as_of(engine, cutoff, year, settings, within=span) as as_of:
        protect_range_cells(as_of, engine, span)
        report = gather_report(as_of, area, Period(span.year), settings, generated_on)
    indicators = tuple(replace(r, cell=replace(r.cell, period=span.key), trend=()) for r in report.indicators)
    communes = [c.code for c in report.details.communes]
    return replace(report, period=span, indicators=indicators, approval=ApprovalState(PROVISIONAL), cutoff=cutoff,
                   completeness=completeness_on(engine, communes, span, cutoff))
