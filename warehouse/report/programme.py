"""What the programme registers add to a report (``warehouse.reference.programme_registers``): each
programme's pilot or model communes against the area's other communes, the indicators by the sector responsible
for them, and the budget allocated and spent by activity line.

The comparison measures the two groups of communes the way published cells are measured (the same facts, roll-up,
design-based estimates where a sample frame covers every household of a cell, else counts with a Wilson interval:
:mod:`warehouse.indicators.indicators`), from the clean tables; an indicator is suppressed in both groups where
the area's published cell or a pilot commune's is (:mod:`warehouse.indicators.disclosure`: the groups would give
it away); indicators over a reference population have no denominator (populations are uploaded per area, not per
group). A new commune
formed partly from a pilot commune is a pilot commune, not an exact one: the group's figures then say they are
approximate. Rows collected with old commune codes count in the group of their old commune.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import partial

import pandas as pd
from sqlalchemy import Connection, Engine, or_, select

from warehouse.classify.classification import VN_LAW
from warehouse.indicators import design_estimates
from warehouse.indicators.cells import KEYS, SUPPRESSED, apply_targets
from warehouse.indicators.disclosure import COMPLEMENTARY
from warehouse.indicators.indicators import (
    SURVEY,
    SURVEY_FACTS,
    IndicatorSettings,
    other_cells,
    survey_cells,
    survey_sums,
)
from warehouse.indicators.periods import Period
from warehouse.indicators.survey_counts import LEGACY_KEY, by_sampling_unit, current
from warehouse.reference.programme_registers import ACTIVITY_LINES, SECTORS
from warehouse.report.area import AreaDetails, ReportArea
from warehouse.report.indicator_results import Cell, IndicatorResult, _cell
from warehouse.schema.admin_units import LEGACY
from warehouse.schema.models import (
    Activity,
    BudgetLine,
    Case,
    Household,
    IndicatorResponsibility,
    IndicatorValue,
    Inspection,
    LegacyCommune,
    ProgrammeSite,
)

PILOT, OTHERS = "pilot", "others"
TARGET_COLUMNS = ["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year",
                  "comparator", "value", "source_document", "valid_from", "valid_to"]
POPULATION_COLUMNS = ["area_level", "area_code", "code_list_version", "year", "population_group", "value"]


@dataclass(frozen=True)
class ComparedIndicator:
    indicator_id: str
    source: str
    unit: str
    pilot: Cell
    others: Cell


@dataclass(frozen=True)
class Comparison:
    """One programme's sites in the area (named as registered) and its indicators in both groups."""

    programme_id: str
    programme_name: str
    site_kind: str  # pilot | model
    sites: tuple[str, ...]
    pilot_communes: int  # new communes of the area in each group
    other_communes: int
    indicators: tuple[ComparedIndicator, ...]


@dataclass(frozen=True)
class Responsibility:
    sector: str
    agency: str
    part: str  # all | community | school
    result: IndicatorResult


@dataclass(frozen=True)
class BudgetRow:
    activity_line: str  # an activity line, or "" for the total
    allocated: int
    spent: int | None  # of the lines that reported spending; None: none did
    unreported: int  # allocated to lines that have not reported spending

    @property
    def share_spent(self) -> float | None:
        """Spent over allocated, of the lines that reported spending."""
        reported = self.allocated - self.unreported
        return None if self.spent is None or reported <= 0 else self.spent / reported


@dataclass(frozen=True)
class ProgrammeRegisters:
    comparisons: tuple[Comparison, ...] = ()
    responsibilities: tuple[Responsibility, ...] = ()
    budget: tuple[BudgetRow, ...] = ()  # each activity line with money, then the total


def gather_programme(engine: Engine, area: ReportArea, details: AreaDetails, period: Period,
                     settings: IndicatorSettings, indicators: tuple[IndicatorResult, ...]) -> ProgrammeRegisters:
    """The registers' part of the report of ``area`` for ``period``: the comparison of its cells and of the sites
    running at some time in it, and the budget of its year."""
    with engine.connect() as conn:
        return ProgrammeRegisters(
            comparisons=_comparisons(conn, area, details, period, settings),
            responsibilities=_responsibilities(conn, area, indicators),
            budget=_budget(conn, area, details, period.year))


# ---------------------------------------------------------------- pilot communes against the others


@dataclass(frozen=True)
class _Units:
    """The old communes each new commune was formed from, the new ones each old commune went to, names."""

    sources: dict[str, set[str]]
    went: dict[str, set[str]]
    districts: dict[str, set[str]]  # old district → its old communes
    names: dict[tuple[str, str], str]  # (level, old code) → name


def _units(conn: Connection) -> _Units:
    lc = LegacyCommune
    sources, went, districts, names = defaultdict(set), defaultdict(set), defaultdict(set), {}
    for code, new, district, name, district_name in conn.execute(select(
            lc.legacy_code, lc.commune_code, lc.legacy_district_code, lc.legacy_name, lc.legacy_district_name)):
        if new:
            sources[new].add(code)
            went[code].add(new)
        if district:
            districts[district].add(code)
            names[("district", district)] = district_name
        names[("commune", code)] = name
    return _Units(sources, went, districts, names)


def group_members(sites: list, area_communes: dict[str, bool], units: _Units, legacy_present: set[str]
                  ) -> pd.DataFrame:
    """The areas frame (:func:`warehouse.indicators.cells.roll_up`) of one programme's two groups in a report's area:
    ``area_communes`` (new commune → exact in the area), the ``sites`` (rows of ``programme_site``) and the old
    communes that have rows in the clean tables (``legacy_present``), keyed ``L<code>``."""
    pilot_current = {s.area_code for s in sites if s.code_list_version != LEGACY}
    pilot_old = set()
    for s in sites:
        if s.code_list_version == LEGACY:
            pilot_old |= units.districts[s.area_code] if s.area_level == "district" else {s.area_code}
    pilot_new = pilot_current | {new for old in pilot_old for new in units.went[old]}
    rows = []
    for commune, exact in area_communes.items():
        pilot = commune in pilot_new
        whole = not pilot or commune in pilot_current or units.sources[commune] <= pilot_old
        rows.append((PILOT if pilot else OTHERS, commune, exact and whole))
    for old in sorted(legacy_present):
        news = units.went[old]
        if news and news <= set(area_communes):
            pilot = old in pilot_old or news <= pilot_current
            rows.append((PILOT if pilot else OTHERS, LEGACY_KEY + old, True))
    frame = pd.DataFrame(rows, columns=["area_code", "commune_code", "exact"])
    return frame.assign(area_level="group", code_list_version="")[
        ["area_level", "area_code", "code_list_version", "commune_code", "exact"]]


def _comparisons(conn: Connection, area: ReportArea, details: AreaDetails, period: Period,
                 settings: IndicatorSettings) -> tuple[Comparison, ...]:
    s = ProgrammeSite
    sites = conn.execute(select(s.__table__).where(s.valid_from <= period.end,
                                                   or_(s.valid_to.is_(None), s.valid_to >= period.start))
                         .order_by(s.programme_id, s.area_code)).all()
    if area.level == "commune" or not sites:
        return ()
    units = _units(conn)
    area_communes = {c.code: c.exact for c in details.communes}
    legacy_present = _legacy_present(conn)
    by_programme = defaultdict(list)
    for site in sites:
        by_programme[site.programme_id].append(site)
    comparisons = []
    for programme_id, programme_sites in by_programme.items():
        members = group_members(programme_sites, area_communes, units, legacy_present)
        new = members[~members["commune_code"].str.startswith(LEGACY_KEY)]
        if not (new["area_code"] == PILOT).any():
            continue  # no site of this programme in the area
        first = programme_sites[0]
        cells = _group_cells(conn, members, period, settings)
        hidden = _hidden_in_published(conn, area, members[members["area_code"] == PILOT], period)
        comparisons.append(Comparison(
            programme_id=programme_id, programme_name=first.programme_name, site_kind=first.site_kind,
            sites=tuple(_site_name(site, units, details) for site in programme_sites
                        if _site_in_area(site, units, area_communes)),
            pilot_communes=int((new["area_code"] == PILOT).sum()),
            other_communes=int((new["area_code"] == OTHERS).sum()),
            indicators=_compared(cells, settings, period, hidden)))
    return tuple(comparisons)


def _legacy_present(conn: Connection) -> set[str]:
    present = set()
    for table in (Household, Inspection, Activity, Case):
        present.update(conn.execute(select(table.commune_code).distinct()
                                    .where(table.code_list_version == LEGACY)).scalars())
    return present


def _site_in_area(site, units: _Units, area_communes: dict[str, bool]) -> bool:
    if site.code_list_version != LEGACY:
        return site.area_code in area_communes
    olds = units.districts[site.area_code] if site.area_level == "district" else {site.area_code}
    return any(new in area_communes for old in olds for new in units.went[old])


def _site_name(site, units: _Units, details: AreaDetails) -> str:
    if site.code_list_version == LEGACY:
        return units.names.get((site.area_level, site.area_code), site.area_code)
    return next((c.name for c in details.communes if c.code == site.area_code), site.area_code)


def _group_cells(conn: Connection, members: pd.DataFrame, period: Period, settings: IndicatorSettings
                 ) -> pd.DataFrame:
    """Every indicator's total cells of the period for both groups, before any target (the groups have none):
    only the totals of the period's year are rolled up."""
    settings = replace(settings, specs=tuple(replace(spec, dimensions=()) for spec in settings.specs))
    codes = sorted({c.removeprefix(LEGACY_KEY) for c in members["commune_code"]})
    children, households = (_in_year(counts, period.year) for counts in current(conn, codes))
    specs = [spec for spec in settings.specs if spec.source == SURVEY]
    targets = pd.DataFrame(columns=TARGET_COLUMNS)
    survey = survey_cells(survey_sums(children, households, specs, members), specs, settings)
    frame = design_estimates.frame_units(conn)
    if len(survey) and not frame.empty:  # the design-based estimates, as the published cells have them
        children, households = (_in_year(counts, period.year) for counts in by_sampling_unit(conn))
        units = design_estimates.unit_weights(frame, households)
        designed = pd.concat([design_estimates.design_cells(SURVEY_FACTS[spec.indicator_id](children, households),
                                                            spec, units, members, settings.confidence)
                              for spec in specs], ignore_index=True)
        survey = design_estimates.with_estimates(survey, designed)[0]
    others = other_cells(conn, settings, members, pd.DataFrame(columns=POPULATION_COLUMNS), targets, year=period.year)
    made = [frame for frame in (apply_targets(survey, targets) if len(survey) else survey, others) if len(frame)]
    if not made:
        return pd.DataFrame(columns=[*KEYS, "exact_territory"])
    cells = pd.concat(made, ignore_index=True)
    cells = cells[(cells["period"] == period.key) & (cells["dimension"] == "total")]
    cells = cells.rename(columns={"exact": "exact_territory"})
    return cells.astype(object).where(cells.notna(), None)


def _in_year(counts: pd.DataFrame, year: int) -> pd.DataFrame:
    return counts[counts["year"] == year]


def _hidden_in_published(conn: Connection, area: ReportArea, pilot: pd.DataFrame, period: Period
                         ) -> set[tuple[str, str, str]]:
    """The series (indicator, source, rule set) whose published total of the period is suppressed for the area or
    for a pilot commune: the pilot group would show what disclosure control hid, the other group the area's less
    it."""
    iv = IndicatorValue
    codes = pilot["commune_code"]
    places = [(iv.area_level == area.level) & (iv.area_code == area.code)
              & (iv.code_list_version == area.code_list_version)]
    for version, group in ((LEGACY, codes[codes.str.startswith(LEGACY_KEY)].str.removeprefix(LEGACY_KEY)),
                           (None, codes[~codes.str.startswith(LEGACY_KEY)])):
        version_is = iv.code_list_version == version if version else iv.code_list_version != LEGACY
        places.append((iv.area_level == "commune") & iv.area_code.in_(sorted(group)) & version_is)
    return set(conn.execute(select(iv.indicator_id, iv.source, iv.rule_set).distinct().where(
        iv.suppressed, iv.period == period.key, iv.dimension == "total", or_(*places))).all())


def _compared(cells: pd.DataFrame, settings: IndicatorSettings, period: Period,
              hidden: set[tuple[str, str, str]]) -> tuple[ComparedIndicator, ...]:
    """Each indicator in both groups; both suppressed where a published cell they would give away is
    (:func:`_hidden_in_published`)."""
    cell = partial(_cell, reliability=settings.reliability)
    rows = []
    for spec in settings.specs:
        mine = cells[(cells["indicator_id"] == spec.indicator_id) & (cells["source"] == spec.source)]
        mine = mine[mine["rule_set"] == (VN_LAW if (mine["rule_set"] == VN_LAW).any() else "")]
        if mine.empty:
            continue
        groups = {g: mine[mine["area_code"] == g] for g in (PILOT, OTHERS)}
        pilot, others = (cell(rows_.iloc[0]) if len(rows_) else _no_data(period) for rows_ in groups.values())
        if (spec.indicator_id, spec.source, mine["rule_set"].iloc[0]) in hidden:
            pilot = others = Cell(period.key, None, None, None, None, None, SUPPRESSED,
                                  suppression_reason=COMPLEMENTARY)
        rows.append(ComparedIndicator(spec.indicator_id, spec.source, spec.unit, pilot, others))
    return tuple(rows)


def _no_data(period: Period) -> Cell:
    return Cell(period.key, None, None, None, None, None, "no_data")


# ---------------------------------------------------------------- by responsible sector


def _responsibilities(conn: Connection, area: ReportArea,
                      indicators: tuple[IndicatorResult, ...]) -> tuple[Responsibility, ...]:
    """The register's rows for the area's own jurisdiction, each with its indicator's results (one per source),
    by sector in the register's order of sectors, then in catalogue order."""
    r = IndicatorResponsibility
    rows = conn.execute(select(r.indicator_id, r.part, r.sector, r.agency).where(
        r.jurisdiction_level == area.level, r.jurisdiction_code == area.code,
        r.code_list_version == area.code_list_version)).all()
    order = {result.indicator_id: i for i, result in enumerate(indicators)}
    rows = sorted((row for row in rows if row.indicator_id in order),
                  key=lambda row: (SECTORS.index(row.sector), order[row.indicator_id], row.part))
    return tuple(Responsibility(row.sector, row.agency, row.part, result)
                 for row in rows for result in indicators if result.indicator_id == row.indicator_id)


# ---------------------------------------------------------------- budget


def _budget(conn: Connection, area: ReportArea, details: AreaDetails, year: int) -> tuple[BudgetRow, ...]:
    """The year's lines of the area itself and of its communes (new ones; an old province's old ones too), summed
    by activity line, then the total; spending is summed over the lines that reported it, the others' allocation
    kept apart."""
    b, lc = BudgetLine, LegacyCommune
    own = (b.area_level == area.level) & (b.area_code == area.code) & (b.code_list_version == area.code_list_version)
    communes = ((b.area_level == "commune") & (b.code_list_version != LEGACY)
                & b.area_code.in_([c.code for c in details.communes]))
    if area.legacy and area.level == "province":  # and its old communes' lines
        old = select(lc.legacy_code).where(lc.legacy_province_code == area.code)
        communes = communes | ((b.area_level == "commune") & (b.code_list_version == LEGACY) & b.area_code.in_(old))
    rows = conn.execute(select(b.activity_line, b.allocated, b.spent).where(b.year == year, or_(own, communes))).all()
    if not rows:
        return ()
    summed = {}
    for line in (*ACTIVITY_LINES, ""):
        mine = [row for row in rows if line in ("", row.activity_line)]
        if mine:
            spent = [row.spent for row in mine if row.spent is not None]
            summed[line] = BudgetRow(line, sum(row.allocated for row in mine), sum(spent) if spent else None,
                                     sum(row.allocated for row in mine if row.spent is None))
    return tuple(summed.values())
