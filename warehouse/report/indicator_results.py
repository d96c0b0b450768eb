"""Each indicator of the catalogue for a report's area and period, as published in ``indicator_value``.

Per (indicator, source) of ``indicators.toml``: the period's total cell (a year, half-year or quarter) with its
target, gap and status, the trend (earlier years, the year's quarters), and breakdowns by commune, sex, age
band, and (1.1) the child's sector of work and the household's craft village. Classified indicators are taken
under the ``vn_law`` rule set. An indicator without a cell for the area and period is reported as "no data", with
the target in force all the same. A sample estimate is flagged unreliable by the catalogue's ``[reliability]``
policy, from its published numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd
from sqlalchemy import Engine, or_, select

from warehouse.classify.classification import VN_LAW
from warehouse.indicators.cells import KEYS, NO_DATA, Reliability, apply_targets
from warehouse.indicators.indicators import IndicatorSettings
from warehouse.indicators.periods import Period
from warehouse.indicators.survey_counts import NOT_WORKING
from warehouse.report.area import AreaDetails, ReportArea
from warehouse.report.labels import choice_codes
from warehouse.schema.models import IndicatorValue, Target

RULE_SETS = (VN_LAW, "")  # vn_law where the indicator is classified, "" where it is not
BREAKDOWNS = ("sex", "age_band", "work_sector", "craft_village")  # the dimensions a report shows
SEX_ORDER = ("male", "female")
CRAFT_VILLAGE_ORDER = ("yes", "no")
COLUMNS = [c.name for c in IndicatorValue.__table__.columns]


@dataclass(frozen=True)
class Cell:
    """One published cell; numbers are ``None`` when suppressed, missing, or without a denominator."""

    period: str
    numerator: int | None
    denominator: int | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    status: str
    exact_territory: bool = True
    unreliable: bool = False  # a sample estimate shown with its interval, but too imprecise to lean on
    effective_n: float | None = None  # of a design-based estimate (its design effect taken into account)
    suppression_reason: str | None = None  # of a suppressed cell: small_count or complementary (``disclosure``)

    def sample(self) -> tuple[float, float]:
        """(successes, trials) the estimate's precision is judged on: of the effective sample of a design-based
        estimate (its CV is then SE / p), else of the sample as counted."""
        if self.effective_n is not None and self.value is not None:
            return self.value * self.effective_n, self.effective_n
        return self.numerator, self.denominator


@dataclass(frozen=True)
class TargetInForce:
    comparator: str  # < <= >= > minimise
    value: float | None  # None for "minimise"
    year: int
    source_document: str


@dataclass(frozen=True)
class Group:
    """One group of a breakdown: a commune (code and name), or a value of a dimension (a sex, an age band …)."""

    code: str
    name: str | None
    cell: Cell


@dataclass(frozen=True)
class IndicatorResult:
    indicator_id: str
    source: str
    rule_set: str
    unit: str  # share | days
    cell: Cell
    target: TargetInForce | None
    gap: float | None
    trend: tuple[Cell, ...]  # earlier years, then the quarters of the year, without the period's own cell
    by_commune: tuple[Group, ...]
    by_sex: tuple[Group, ...]
    by_age_band: tuple[Group, ...]
    by_work_sector: tuple[Group, ...]
    by_craft_village: tuple[Group, ...]

    @property
    def periods(self) -> list[Cell]:
        """Earlier years, this year, then this year's half-years and quarters: the trend with the period's cell."""
        if not self.trend:  # an ad-hoc range's report has none
            return [self.cell]
        kinds = ("year", "half", "quarter")
        return sorted((*self.trend, self.cell), key=lambda c: (kinds.index(Period.parse(c.period).kind), c.period))

    @property
    def has_data(self) -> bool:
        groups = self.by_commune + self.by_sex + self.by_age_band + self.by_work_sector + self.by_craft_village
        cells = (self.cell, *self.trend, *(g.cell for g in groups))
        return any(c.value is not None for c in cells)


def gather_indicators(engine: Engine, area: ReportArea, details: AreaDetails, period: Period,
                      settings: IndicatorSettings) -> tuple[IndicatorResult, ...]:
    """One result per (indicator, source) of the catalogue, in catalogue order."""
    own = _area_cells(engine, area, period)
    communes = _commune_cells(engine, area, details, period)
    missing = [s for s in settings.specs if own[_is_total(own, s.indicator_id, s.source, period.key)].empty]
    targets = _targets_of_missing(engine, area, period, [(s.indicator_id, s.source) for s in missing])
    names = {c.code: c.name for c in details.communes}
    cell = partial(_cell, reliability=settings.reliability)
    results = []
    for spec in settings.specs:
        rows = own[(own["indicator_id"] == spec.indicator_id) & (own["source"] == spec.source)]
        rule_set = VN_LAW if (rows["rule_set"] == VN_LAW).any() else ""
        rows = rows[rows["rule_set"] == rule_set]
        total = rows[(rows["dimension"] == "total")]
        this_period = total[total["period"] == period.key]
        head = this_period.iloc[0] if len(this_period) else targets[(spec.indicator_id, spec.source)]
        earlier = total[(total["period_type"] == "year") & (total["period"] < str(period.year))].sort_values("period")
        quarters = total[(total["period_type"] == "quarter") & (total["period"] != period.key)].sort_values("period")
        mine = communes[(communes["indicator_id"] == spec.indicator_id) & (communes["source"] == spec.source)
                        & (communes["rule_set"] == rule_set)]
        year_rows = rows[rows["period"] == period.key]
        results.append(IndicatorResult(
            indicator_id=spec.indicator_id, source=spec.source, rule_set=rule_set, unit=spec.unit,
            cell=cell(head), target=_target(head), gap=_number(head["gap"]),
            trend=tuple(cell(r) for _, r in pd.concat([earlier, quarters]).iterrows()),
            by_commune=tuple(Group(r["area_code"], names.get(r["area_code"]), cell(r))
                             for _, r in mine.sort_values("area_code").iterrows()),
            by_sex=_groups(year_rows, "sex", _sex_order, cell),
            by_age_band=_groups(year_rows, "age_band", _age_order, cell),
            by_work_sector=_groups(year_rows, "work_sector", _sector_order, cell),
            by_craft_village=_groups(year_rows, "craft_village", partial(_listed, CRAFT_VILLAGE_ORDER), cell),
        ))
    return tuple(results)


def _query(engine: Engine, *where) -> pd.DataFrame:
    iv = IndicatorValue
    with engine.connect() as conn:
        rows = conn.execute(select(iv.__table__).where(iv.rule_set.in_(RULE_SETS), *where)).all()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype(object).where(frame.notna(), None)


def _area_cells(engine: Engine, area: ReportArea, period: Period) -> pd.DataFrame:
    """The area's cells: totals of every year up to the period's, of its quarters and of the period itself; the
    period's breakdowns."""
    iv = IndicatorValue
    return _query(
        engine, iv.area_level == area.level, iv.area_code == area.code, iv.code_list_version == area.code_list_version,
        or_((iv.dimension == "total") & (iv.period_type == "year") & (iv.period <= str(period.year)),
            (iv.dimension == "total") & iv.period.like(f"{period.year}-Q%"),
            (iv.dimension == "total") & (iv.period == period.key),
            iv.dimension.in_(BREAKDOWNS) & (iv.period == period.key)))


def _commune_cells(engine: Engine, area: ReportArea, details: AreaDetails, period: Period) -> pd.DataFrame:
    iv = IndicatorValue
    if area.level == "commune":
        return pd.DataFrame(columns=COLUMNS)  # a commune is not broken down into communes
    codes = [c.code for c in details.communes]
    return _query(engine, iv.area_level == "commune", iv.code_list_version != "vn-legacy", iv.area_code.in_(codes),
                  iv.dimension == "total", iv.period == period.key)


def _is_total(frame: pd.DataFrame, indicator_id: str, source: str, period: str) -> pd.Series:
    return ((frame["indicator_id"] == indicator_id) & (frame["source"] == source) & (frame["dimension"] == "total")
            & (frame["period"] == period))


def _targets_of_missing(engine: Engine, area: ReportArea, period: Period,
                        missing: list[tuple[str, str]]) -> dict[tuple[str, str], pd.Series]:
    """A "no data" row for each indicator with no cell, with the target in force chosen the way published cells
    get theirs."""
    if not missing:
        return {}
    t = Target
    with engine.connect() as conn:
        targets = pd.DataFrame(conn.execute(select(
            t.indicator_id, t.jurisdiction_level, t.jurisdiction_code, t.code_list_version, t.year, t.comparator,
            t.value, t.source_document).where(
            t.jurisdiction_level == area.level, t.jurisdiction_code == area.code,
            t.code_list_version == area.code_list_version)).all(),
            columns=["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year",
                     "comparator", "value", "source_document"])
    empty = pd.DataFrame([{
        "indicator_id": indicator_id, "source": source, "rule_set": "", "period": period.key,
        "period_type": period.kind,
        "area_level": area.level, "area_code": area.code, "code_list_version": area.code_list_version,
        "dimension": "total", "dimension_value": "all", "value": np.nan, "status": NO_DATA,
        "numerator": None, "denominator": None, "ci_low": None, "ci_high": None, "exact_territory": True,
    } for indicator_id, source in missing], columns=[*KEYS, "value", "status", "numerator", "denominator", "ci_low",
                                                     "ci_high", "exact_territory"])
    with_targets = apply_targets(empty, targets)
    with_targets = with_targets.astype(object).where(with_targets.notna(), None)
    return {(r["indicator_id"], r["source"]): r for _, r in with_targets.iterrows()}


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _integer(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _cell(row: pd.Series, reliability: Reliability) -> Cell:
    """The cell of a published row; a sample estimate (one with an interval) flagged unreliable or not."""
    numerator, denominator = _integer(row["numerator"]), _integer(row["denominator"])
    sample = row["ci_low"] is not None and numerator is not None and denominator is not None
    cell = Cell(period=row["period"], numerator=numerator, denominator=denominator,
                value=_number(row["value"]), ci_low=_number(row["ci_low"]), ci_high=_number(row["ci_high"]),
                status=row["status"], exact_territory=bool(row["exact_territory"]),
                effective_n=_number(row.get("effective_n")), suppression_reason=row.get("suppression_reason"))
    return replace(cell, unreliable=sample and bool(reliability.unreliable(*cell.sample())))


def _target(row: pd.Series) -> TargetInForce | None:
    if row["target_comparator"] is None:
        return None
    return TargetInForce(row["target_comparator"], _number(row["target_value"]), int(row["target_year"]),
                         row["target_source"])


def _listed(order: tuple[str, ...], code: str) -> tuple:
    """``code``'s place in ``order``, anything else after it."""
    return (order.index(code) if code in order else len(order), code)


_sex_order = partial(_listed, SEX_ORDER)


def _sector_order(code: str) -> tuple:
    """The household form's sectors in its order, then the children not working, then unknown."""
    return _listed((*choice_codes("sector"), NOT_WORKING), code)


def _age_order(code: str) -> tuple:
    start = code.split("-")[0]
    return (int(start) if start.isdigit() else 99, code)


def _groups(rows: pd.DataFrame, dimension: str, order, cell) -> tuple[Group, ...]:
    chosen = rows[rows["dimension"] == dimension]
    return tuple(Group(r["dimension_value"], None, cell(r))
                 for _, r in sorted(chosen.iterrows(), key=lambda item: order(item[1]["dimension_value"])))
