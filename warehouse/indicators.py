"""Every indicator of the catalogue, by area, period and disaggregation, against its target.

Each (indicator, source) pair of ``reference/indicators.toml`` has a facts query here: the database counts at the
finest grain (commune, quarter, disaggregation), nothing loads individual children; ``warehouse.cells`` does the
rest the same way for all of them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, and_, case, delete, func, literal, select

from warehouse.bulk import insert_rows
from warehouse.cells import IndicatorSpec, apply_targets, finish, roll_up, with_population_denominators
from warehouse.models import (
    Activity,
    ActivityReach,
    AreaCommune,
    Case,
    Child,
    ChildClassification,
    Household,
    IndicatorValue,
    Inspection,
    ReferencePopulation,
    Target,
    YoungWorker,
    YoungWorkerClassification,
)

UNKNOWN = "unknown"


@dataclass(frozen=True)
class IndicatorSettings:
    version: str
    min_cell: int
    confidence: float
    support_in_time_days: int
    names: dict[str, dict]
    specs: tuple[IndicatorSpec, ...]


def load_settings(path: str | Path | None = None) -> IndicatorSettings:
    if path is None:
        text = resources.files("warehouse.reference").joinpath("indicators.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    pub = doc["publication"]
    names = doc["indicator"]
    specs = tuple(
        IndicatorSpec(p["indicator"], p["source"], sample=p.get("sample", False),
                      population=tuple(p.get("population", ())), dimensions=tuple(p.get("dimensions", ())),
                      unit=names[p["indicator"]].get("unit", "share"))
        for p in doc["publish"]
    )
    unknown = sorted({s.indicator_id for s in specs} - set(names))
    if unknown:
        raise ValueError(f"indicators.toml: publish entries for indicators not in the catalogue: {unknown}")
    return IndicatorSettings(doc["version"], int(pub["min_cell"]), float(pub["confidence"]),
                             int(pub["support_in_time_days"]), names, specs)


DIMENSIONS = ("sex", "age_band", "urban_rural", "ethnic_group", "poverty_status", "establishment_type", "case_type")


def _frame(engine: Engine, query, columns: list[str]) -> pd.DataFrame:
    """The query's rows; a missing disaggregation value becomes "unknown" (dates and counts stay as they are)."""
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    return frame.fillna({c: UNKNOWN for c in columns if c in DIMENSIONS})


def _yes(column) -> case:
    return case((column, 1), else_=0)


# ---------------------------------------------------------------- household survey


_SURVEY_COUNTS: ContextVar[dict | None] = ContextVar("survey_counts", default=None)
_SURVEY_KEYS = ["rule_set", "commune_code", "year", "quarter", "urban_rural", "sex", "age_band", "ethnic_group",
                "poverty_status"]


def _survey_counts(engine: Engine) -> pd.DataFrame:
    """Classified children at the finest grain with every count the survey indicators use, in one query:
    children, child labourers, hazardous child labourers and children informed. During :func:`compute_cells`
    the frame is made once and shared by the three indicators that read it."""
    shared = _SURVEY_COUNTS.get()
    if shared is not None and "frame" in shared:
        return shared["frame"]
    cc, c, h = ChildClassification, Child, Household
    keys = [cc.rule_set, h.commune_code, h.year, h.quarter, h.urban_rural, c.sex, cc.age_band, c.ethnic_group,
            h.poverty_status]
    query = (select(*keys, func.count(), func.sum(_yes(cc.child_labour)), func.sum(_yes(cc.hazardous)),
                    func.sum(_yes(c.child_informed == "yes")))
             .join(c, c.child_id == cc.child_id).join(h, h.household_id == c.household_id).group_by(*keys))
    frame = _frame(engine, query, [*_SURVEY_KEYS, "children", "child_labour", "hazardous", "informed"])
    if shared is not None:
        shared["frame"] = frame
    return frame


def _child_counts(engine: Engine, numerator: str, denominator: str) -> pd.DataFrame:
    counts = _survey_counts(engine)
    return counts[_SURVEY_KEYS].assign(numerator=counts[numerator].astype("int64"),
                                       denominator=counts[denominator].astype("int64"))


def child_labour_rate(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    return _child_counts(engine, "child_labour", "children")


def hazardous_share_survey(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    return _child_counts(engine, "hazardous", "child_labour")


def children_informed_survey(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    frame = _child_counts(engine, "informed", "children")
    return frame[frame["rule_set"] == "vn_law"].assign(rule_set="")  # vn_law age bands; one row per child


def caregivers_informed_survey(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    h = Household
    keys = [h.commune_code, h.year, h.quarter, h.urban_rural, h.poverty_status]
    query = (select(*keys, func.sum(_yes(h.caregiver_informed == "yes")), func.count())
             .where(h.consent).group_by(*keys))
    frame = _frame(engine, query, ["commune_code", "year", "quarter", "urban_rural", "poverty_status",
                                   "numerator", "denominator"])
    return frame.assign(rule_set="")


# ---------------------------------------------------------------- inspections


def hazardous_share_inspections(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    yc, yw, i = YoungWorkerClassification, YoungWorker, Inspection
    keys = [yc.rule_set, i.commune_code, i.year, i.quarter, yw.sex, yc.age_band]
    query = (select(*keys, func.sum(_yes(yc.hazardous)), func.sum(_yes(yc.child_labour)))
             .join(yw, yw.worker_id == yc.worker_id).join(i, i.inspection_id == yw.inspection_id).group_by(*keys))
    return _frame(engine, query, ["rule_set", "commune_code", "year", "quarter", "sex", "age_band",
                                  "numerator", "denominator"])


def _per_inspection(engine: Engine, flag) -> pd.DataFrame:
    i = Inspection
    keys = [i.commune_code, i.year, i.quarter, i.establishment_type]
    query = select(*keys, func.sum(_yes(flag)), func.count()).group_by(*keys)
    frame = _frame(engine, query, ["commune_code", "year", "quarter", "establishment_type", "numerator", "denominator"])
    return frame.assign(rule_set="")


def _uses_child_labour():
    yc, yw = YoungWorkerClassification, YoungWorker
    return (select(yw.inspection_id).join(yc, yc.worker_id == yw.worker_id)
            .where(yc.rule_set == "vn_law", yc.child_labour).scalar_subquery())


def inspections_child_labour(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    return _per_inspection(engine, Inspection.inspection_id.in_(_uses_child_labour()))


def inspections_violation(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    v = Inspection.violations
    return _per_inspection(engine, and_(v.is_not(None), v != "none"))


def inspections_sanctioned(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    a = Inspection.actions
    return _per_inspection(engine, and_(a.is_not(None), (a.contains("warning") | a.contains("fine"))))


def employers_informed_at_inspection(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    return _per_inspection(engine, Inspection.employer_informed == "yes")


# ---------------------------------------------------------------- activity reports (+ inspected employers)


def _reached(engine: Engine, audiences: tuple[str, ...], column) -> pd.DataFrame:
    a, r = Activity, ActivityReach
    keys = [a.commune_code, a.year, a.quarter]
    query = (select(*keys, func.sum(func.coalesce(column, 0)), literal(0))
             .join(a, a.activity_id == r.activity_id).where(r.audience.in_(audiences)).group_by(*keys))
    return _frame(engine, query, ["commune_code", "year", "quarter", "numerator", "denominator"]).assign(rule_set="")


def _employers_since(engine: Engine, date_column, types: tuple[str, ...]) -> pd.DataFrame:
    """Inspected employers who received information (or training) dated in a year, counted in that year."""
    i = Inspection
    query = select(i.commune_code, date_column).where(date_column.is_not(None), i.establishment_type.in_(types))
    frame = _period_of(_frame(engine, query, ["commune_code", "on"]), "on")
    return frame.drop(columns="on").assign(numerator=1, denominator=0, rule_set="")


def _informed(*audiences: str) -> Callable:
    return lambda engine, _: _reached(engine, audiences, ActivityReach.reached_new)


def _trained(*audiences: str) -> Callable:
    return lambda engine, _: _reached(engine, audiences, ActivityReach.reached_new_trained)


ESTABLISHMENTS = ("enterprises", "cooperatives", "craft_village_households")
ALL_TYPES = ("enterprise", "cooperative", "household_business", "craft_village_workshop", "farm")


def establishments_informed(engine: Engine, settings: IndicatorSettings) -> pd.DataFrame:
    return pd.concat([_informed(*ESTABLISHMENTS)(engine, settings),
                      _employers_since(engine, Inspection.employer_informed_date, ALL_TYPES)], ignore_index=True)


def enterprises_trained(engine: Engine, settings: IndicatorSettings) -> pd.DataFrame:
    return pd.concat([_trained("enterprises")(engine, settings),
                      _employers_since(engine, Inspection.employer_trained_date, ("enterprise",))], ignore_index=True)


# ---------------------------------------------------------------- cases


def _cases(engine: Engine, columns: list, names: list[str], where=None) -> pd.DataFrame:
    c = Case
    query = select(c.commune_code, c.sex, c.age_band, c.case_type, *columns)
    if where is not None:
        query = query.where(where)
    return _frame(engine, query, ["commune_code", "sex", "age_band", "case_type", *names]).assign(rule_set="")


def _period_of(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    dates = pd.to_datetime(frame[column])
    return frame.assign(year=dates.dt.year, quarter=dates.dt.quarter)


def supported_in_time(engine: Engine, settings: IndicatorSettings) -> pd.DataFrame:
    c = Case
    frame = _cases(engine, [c.identified_on, c.first_support_on, c.visits], ["identified_on", "first_support", "visits"])
    days = (pd.to_datetime(frame["first_support"]) - pd.to_datetime(frame["identified_on"])).dt.days
    in_time = days.le(settings.support_in_time_days) & frame["visits"].ge(1)
    return _period_of(frame, "identified_on").assign(numerator=in_time.astype(int), denominator=1)


def in_education(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    c = Case
    frame = _cases(engine, [c.last_visit_on, c.in_education_at_last_visit], ["last_visit", "numerator"], c.visits >= 1)
    return _period_of(frame, "last_visit").assign(numerator=frame["numerator"].fillna(False).astype(int), denominator=1)


def out_of_child_labour(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
    c = Case
    frame = _cases(engine, [c.last_visit_on, c.child_labour_at_last_visit], ["last_visit", "still"],
                   and_(c.visits >= 1, c.case_type == "child_labourer"))
    return _period_of(frame, "last_visit").assign(numerator=(~frame["still"].fillna(True).astype(bool)).astype(int),
                                                  denominator=1)


def days_to(column_name: str) -> Callable:
    def facts(engine: Engine, _: IndicatorSettings) -> pd.DataFrame:
        c = Case
        column = getattr(c, column_name)
        frame = _cases(engine, [c.identified_on, column], ["identified_on", "until"], column.is_not(None))
        days = (pd.to_datetime(frame["until"]) - pd.to_datetime(frame["identified_on"])).dt.days
        return _period_of(frame, "until").assign(days=days)
    return facts


FACTS: dict[tuple[str, str], Callable[[Engine, IndicatorSettings], pd.DataFrame]] = {
    ("1.1", "household_survey"): child_labour_rate,
    ("1.1h", "household_survey"): hazardous_share_survey,
    ("1.1h", "inspections"): hazardous_share_inspections,
    ("1.2", "cases"): supported_in_time,
    ("1.3", "cases"): in_education,
    ("2.1a", "activities"): _informed("teachers_staff"),
    ("2.1b", "household_survey"): caregivers_informed_survey,
    ("2.1b", "activities"): _informed("parents_caregivers"),
    ("2.2", "household_survey"): children_informed_survey,
    ("2.2", "activities"): _informed("children"),
    ("2.3", "activities_inspections"): establishments_informed,
    ("2.3", "inspections"): employers_informed_at_inspection,
    ("3.1a", "activities"): _trained("provincial_district_officials"),
    ("3.1b", "activities"): _trained("commune_officials"),
    ("3.1c", "activities"): _trained("child_protection_staff"),
    ("3.2a", "activities_inspections"): enterprises_trained,
    ("3.2b", "activities"): _trained("cooperatives", "craft_village_households"),
    ("4.1a", "inspections"): inspections_child_labour,
    ("4.1b", "inspections"): inspections_violation,
    ("4.1c", "inspections"): inspections_sanctioned,
    ("4.2a", "cases"): out_of_child_labour,
    ("4.2b", "cases"): days_to("first_support_on"),
    ("4.2c", "cases"): days_to("closed_on"),
}


# ---------------------------------------------------------------- publishing


def reference_frames(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Area membership, reference populations and targets, as loaded in the warehouse."""
    with engine.connect() as conn:
        areas = pd.DataFrame(conn.execute(select(
            AreaCommune.area_level, AreaCommune.area_code, AreaCommune.code_list_version, AreaCommune.commune_code,
            AreaCommune.exact)).all(), columns=["area_level", "area_code", "code_list_version", "commune_code", "exact"])
        populations = pd.DataFrame(conn.execute(select(
            ReferencePopulation.area_level, ReferencePopulation.area_code, ReferencePopulation.code_list_version,
            ReferencePopulation.year, ReferencePopulation.population_group, ReferencePopulation.value)).all(),
            columns=["area_level", "area_code", "code_list_version", "year", "population_group", "value"])
        targets = pd.DataFrame(conn.execute(select(
            Target.indicator_id, Target.jurisdiction_level, Target.jurisdiction_code, Target.code_list_version,
            Target.year, Target.comparator, Target.value, Target.source_document)).all(),
            columns=["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year",
                     "comparator", "value", "source_document"])
    return areas, populations, targets


def compute_cells(engine: Engine, settings: IndicatorSettings, rules_version: str) -> pd.DataFrame:
    """Every published cell of every indicator in the catalogue."""
    areas, populations, targets = reference_frames(engine)
    parts = []
    shared = _SURVEY_COUNTS.set({})
    try:
        for spec in settings.specs:
            facts = FACTS[(spec.indicator_id, spec.source)](engine, settings)
            if facts.empty:
                continue
            rolled = with_population_denominators(roll_up(facts, spec, areas), spec, populations)
            parts.append(finish(rolled, spec, settings.min_cell, settings.confidence))
    finally:
        _SURVEY_COUNTS.reset(shared)
    columns = [c.name for c in IndicatorValue.__table__.columns]
    if not parts:
        return pd.DataFrame(columns=columns)
    cells = apply_targets(pd.concat(parts, ignore_index=True), targets)
    cells = cells.rename(columns={"exact": "exact_territory"})
    cells["exact_territory"] = cells["exact_territory"].astype(bool)
    cells["rules_version"] = rules_version
    return cells[columns]


PUBLISH_CHUNK = 50_000


def publish(engine: Engine, cells: pd.DataFrame) -> int:
    """Replace every published cell with ``cells`` in one transaction (bulk, a chunk of rows at a time)."""
    columns = list(cells.columns)
    with engine.begin() as conn:
        conn.execute(delete(IndicatorValue))
        for start in range(0, len(cells), PUBLISH_CHUNK):
            chunk = cells.iloc[start:start + PUBLISH_CHUNK]
            values = [chunk[c].astype(object).where(chunk[c].notna(), None).tolist() for c in columns]
            insert_rows(conn, IndicatorValue.__table__, columns, list(zip(*values, strict=True)))
    return len(cells)
