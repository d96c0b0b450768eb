"""Every indicator of the catalogue, by area, period and disaggregation, against its target.

Each (indicator, source) pair of ``reference/indicators.toml`` has facts here, counted at the finest grain
(commune, quarter, disaggregation); nothing loads individual children; ``cells`` does the rest the same
way for all of them. Every run recomputes every cell from the clean and classified tables (:func:`refresh`); the
steps before it keep no bookkeeping for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, func, literal, select

from warehouse.cases.case_workflow import load_workflow
from warehouse.classify.classification import VN_LAW
from warehouse.clean.prefetch import in_order, prepare_in_worker, worker_pool, workers_for
from warehouse.indicators import approval, design_estimates, disclosure, survey_counts
from warehouse.indicators.cells import (
    KEYS,
    IndicatorSpec,
    Reliability,
    apply_targets,
    commune_groups,
    finish,
    roll_up,
    with_population_denominators,
    with_unknown,
)
from warehouse.indicators.survey_counts import LEGACY_KEY, commune_key, yes
from warehouse.infra.bulk import TableRows, insert_frame, read_frame
from warehouse.infra.versioned import REFERENCE_DIR, checked, read_versioned
from warehouse.reference.reference_data import LEGACY
from warehouse.schema.db import large_page_cache
from warehouse.schema.models import (
    Activity,
    ActivityReach,
    AreaCommune,
    Case,
    CaseService,
    CaseVisit,
    ChildClassification,
    Household,
    IndicatorValue,
    Inspection,
    LegacyCommune,
    ReferencePopulation,
    RestrictedIndicatorValue,
    Target,
    YoungWorker,
    YoungWorkerClassification,
)

SETTINGS_FILE = REFERENCE_DIR / "indicators.toml"

@dataclass(frozen=True)
class IndicatorSettings:
    version: str
    confidence: float
    reliability: Reliability  # when the report flags a sample estimate unreliable (not stored in the cells)
    names: dict[str, dict]
    specs: tuple[IndicatorSpec, ...]


@lru_cache(maxsize=4)
def load_settings(path: Path = SETTINGS_FILE) -> IndicatorSettings:
    """The settings of ``path`` (default: the packaged file), read once per process."""
    doc = read_versioned(path)
    with checked(path):
        return _settings(doc)


def _settings(doc: dict) -> IndicatorSettings:
    pub = doc["publication"]
    names = doc["indicator"]
    specs = tuple(
        IndicatorSpec(p["indicator"], p["source"], sample=p.get("sample", False),
                      population=tuple(p.get("population", ())), dimensions=tuple(p.get("dimensions", ())),
                      unit=names[p["indicator"]].get("unit", "share"), pools=tuple(p.get("pools", ())))
        for p in doc["publish"]
    )
    unknown = sorted({s.indicator_id for s in specs} - set(names))
    if unknown:
        raise ValueError(f"publish entries for indicators not in the catalogue: {unknown}")
    reliability = Reliability(float(doc["reliability"]["max_cv"]), int(doc["reliability"]["min_sample"]))
    return IndicatorSettings(doc["version"], float(pub["confidence"]), reliability, names, specs)


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    """The query's rows, a missing disaggregation value as "unknown"."""
    return with_unknown(read_frame(conn, query, columns))


# ---------------------------------------------------------------- household survey
#
# From the finest-grain counts (warehouse.indicators.survey_counts). Every survey indicator is a sum.


def _shares(counts: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    keys = [c for c in counts.columns if c not in survey_counts.COUNTS]
    return counts[keys].assign(numerator=counts[numerator], denominator=counts[denominator],
                               members=counts["members"])


SURVEY_FACTS: dict[str, Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]] = {
    "1.1": lambda children, _: _shares(children, "child_labour", "members"),
    "1.1h": lambda children, _: _shares(children, "hazardous", "child_labour"),
    # one row per child: the vn_law rows (their age bands); informed does not depend on the rule set
    "2.2": lambda children, _: _shares(children[children["rule_set"] == VN_LAW], "informed", "members")
    .assign(rule_set=""),
    "2.1b": lambda _, households: _shares(households, "informed", "members").assign(rule_set=""),
}
"""Household-survey facts of each indicator, from (children, households) counts."""


# ---------------------------------------------------------------- inspections


def hazardous_share_inspections(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    yc, yw, i = YoungWorkerClassification, YoungWorker, Inspection
    keys = [yc.rule_set, commune_key(i), i.year, i.quarter, yw.sex, yc.age_band]
    query = (select(*keys, func.sum(yes(yc.hazardous)), func.sum(yes(yc.child_labour)))
             .join(yw, yw.worker_id == yc.worker_id).join(i, i.inspection_id == yw.inspection_id).group_by(*keys))
    return _frame(conn, query, ["rule_set", "commune_code", "year", "quarter", "sex", "age_band",
                                "numerator", "denominator"])


def _per_inspection(conn: Connection, flag) -> pd.DataFrame:
    i = Inspection
    keys = [commune_key(i), i.year, i.quarter, i.establishment_type]
    query = select(*keys, func.sum(yes(flag)), func.count()).group_by(*keys)
    frame = _frame(conn, query, ["commune_code", "year", "quarter", "establishment_type", "numerator", "denominator"])
    return frame.assign(rule_set="")


def _uses_child_labour():
    yc, yw = YoungWorkerClassification, YoungWorker
    return (select(yw.inspection_id).join(yc, yc.worker_id == yw.worker_id)
            .where(yc.rule_set == VN_LAW, yc.child_labour).scalar_subquery())


def inspections_child_labour(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    return _per_inspection(conn, Inspection.inspection_id.in_(_uses_child_labour()))


def inspections_violation(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    v = Inspection.violations
    return _per_inspection(conn, and_(v.is_not(None), v != "none"))


def inspections_sanctioned(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    a = Inspection.actions
    return _per_inspection(conn, and_(a.is_not(None), (a.contains("warning") | a.contains("fine"))))


def employers_informed_at_inspection(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    return _per_inspection(conn, Inspection.employer_informed == "yes")


# ---------------------------------------------------------------- activity reports (+ inspected employers)


def _reached(conn: Connection, audiences: tuple[str, ...], column) -> pd.DataFrame:
    a, r = Activity, ActivityReach
    keys = [commune_key(a), a.year, a.quarter]
    query = (select(*keys, func.sum(func.coalesce(column, 0)), literal(0))
             .join(a, a.activity_id == r.activity_id).where(r.audience.in_(audiences)).group_by(*keys))
    return _frame(conn, query, ["commune_code", "year", "quarter", "numerator", "denominator"]).assign(rule_set="")


def _employers_since(conn: Connection, date_column, types: tuple[str, ...]) -> pd.DataFrame:
    """Inspected employers who received information (or training) dated in a year, counted in that year."""
    i = Inspection
    query = select(commune_key(i), date_column).where(date_column.is_not(None), i.establishment_type.in_(types))
    frame = _period_of(_frame(conn, query, ["commune_code", "on"]), "on")
    return frame.drop(columns="on").assign(numerator=1, denominator=0, rule_set="")


def _informed(*audiences: str) -> Callable:
    return lambda conn, _: _reached(conn, audiences, ActivityReach.reached_new)


def _trained(*audiences: str) -> Callable:
    return lambda conn, _: _reached(conn, audiences, ActivityReach.reached_new_trained)


ESTABLISHMENTS = ("enterprises", "cooperatives", "craft_village_households")
ALL_TYPES = ("enterprise", "cooperative", "household_business", "craft_village_workshop", "farm")


def establishments_informed(conn: Connection, settings: IndicatorSettings) -> pd.DataFrame:
    return pd.concat([_informed(*ESTABLISHMENTS)(conn, settings),
                      _employers_since(conn, Inspection.employer_informed_date, ALL_TYPES)], ignore_index=True)


def enterprises_trained(conn: Connection, settings: IndicatorSettings) -> pd.DataFrame:
    return pd.concat([_trained("enterprises")(conn, settings),
                      _employers_since(conn, Inspection.employer_trained_date, ("enterprise",))], ignore_index=True)


# ---------------------------------------------------------------- cases


def _cases(conn: Connection, columns: list, names: list[str], where=None) -> pd.DataFrame:
    c = Case
    query = select(commune_key(c), c.sex, c.age_band, c.case_type, *columns)
    if where is not None:
        query = query.where(where)
    return _frame(conn, query, ["commune_code", "sex", "age_band", "case_type", *names]).assign(rule_set="")


def _period_of(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    dates = pd.to_datetime(frame[column])
    return frame.assign(year=dates.dt.year, quarter=dates.dt.quarter)


def supported_in_time(conn: Connection, _: IndicatorSettings, as_of: date | None = None) -> pd.DataFrame:
    """Cases supported within the workflow's first-support limit from identification (shorter when urgent when
    reported: a risk found later does not shorten a limit already running) and visited; a case not yet supported
    whose limit has not passed on ``as_of`` (default today) is pending: in neither count."""
    c, workflow, as_of = Case, load_workflow(), as_of or date.today()
    frame = _cases(conn, [c.identified_on, c.first_support_on, c.visits, c.urgent_at_report],
                   ["identified_on", "first_support", "visits", "urgent"])
    due = pd.to_datetime(pd.Series([workflow.due_on("first_support", day, bool(urgent)) for day, urgent
                                    in zip(frame["identified_on"], frame["urgent"])], index=frame.index, dtype=object))
    supported = pd.to_datetime(frame["first_support"])
    in_time = supported.le(due) & frame["visits"].ge(1)
    pending = supported.isna() & due.ge(pd.Timestamp(as_of))
    frame = frame.assign(numerator=in_time.astype(int), denominator=1)[~pending]
    return _period_of(frame.drop(columns=["urgent"]), "identified_on")


def two_follow_ups(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    """Cases with at least two follow-up visits, among the cases identified (counted in the identification
    period)."""
    c = Case
    frame = _cases(conn, [c.identified_on, c.visits], ["identified_on", "visits"])
    return _period_of(frame, "identified_on").assign(numerator=frame["visits"].ge(2).astype(int), denominator=1)


def out_of_child_labour_after_two(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    """Child labourers no longer in child labour at their second follow-up visit, among those visited twice
    (counted in the period of that visit)."""
    c = Case
    frame = _cases(conn, [c.second_visit_on, c.child_labour_at_second_visit], ["second_visit", "still"],
                   and_(c.second_visit_on.is_not(None), c.case_type == "child_labourer"))
    return _period_of(frame, "second_visit").assign(
        numerator=(~frame["still"].fillna(True).astype(bool)).astype(int), denominator=1)


def services_received(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    """Services and referrals by type: each referral once (case, type, referral date), with the outcome its
    latest visit recorded; received ones over all referred (counted in the period of the referral)."""
    c, s, v = Case, CaseService, CaseVisit
    query = (select(commune_key(c), c.sex, c.age_band, c.case_type, s.case_id, s.service_type, s.referred_date,
                    s.service_outcome).join(v, v.visit_id == s.visit_id).join(c, c.case_id == s.case_id)
             .order_by(v.visit_date, v.change_seq, s.repeat_index))
    frame = _frame(conn, query, ["commune_code", "sex", "age_band", "case_type", "case_id", "service_type",
                                 "referred", "outcome"])
    frame = frame.drop_duplicates(["case_id", "service_type", "referred"], keep="last")
    return _period_of(frame, "referred").assign(numerator=frame["outcome"].eq("received").astype(int),
                                                denominator=1, rule_set="").drop(columns=["case_id", "outcome"])


def overdue(conn: Connection, _: IndicatorSettings, as_of: date | None = None) -> pd.DataFrame:
    """Open cases whose next step (``case_register.due_on``) was due before ``as_of`` (default today), among the
    open cases (counted in the period of ``as_of``)."""
    c, as_of = Case, as_of or date.today()
    frame = _cases(conn, [c.due_on], ["due_on"], c.status != "closed")
    late = pd.to_datetime(frame["due_on"]).lt(pd.Timestamp(as_of))
    return frame.drop(columns="due_on").assign(year=as_of.year, quarter=(as_of.month - 1) // 3 + 1,
                                               numerator=late.astype(int), denominator=1)


def in_education(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    c = Case
    frame = _cases(conn, [c.last_visit_on, c.in_education_at_last_visit], ["last_visit", "numerator"], c.visits >= 1)
    return _period_of(frame, "last_visit").assign(numerator=frame["numerator"].fillna(False).astype(int), denominator=1)


def out_of_child_labour(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
    c = Case
    frame = _cases(conn, [c.last_visit_on, c.child_labour_at_last_visit], ["last_visit", "still"],
                   and_(c.visits >= 1, c.case_type == "child_labourer"))
    return _period_of(frame, "last_visit").assign(numerator=(~frame["still"].fillna(True).astype(bool)).astype(int),
                                                  denominator=1)


def days_to(column_name: str) -> Callable:
    def facts(conn: Connection, _: IndicatorSettings) -> pd.DataFrame:
        c = Case
        column = getattr(c, column_name)
        frame = _cases(conn, [c.identified_on, column], ["identified_on", "until"], column.is_not(None))
        days = (pd.to_datetime(frame["until"]) - pd.to_datetime(frame["identified_on"])).dt.days
        return _period_of(frame, "until").assign(days=days)
    return facts


FACTS: dict[tuple[str, str], Callable[[Connection, IndicatorSettings], pd.DataFrame]] = {
    ("1.1h", "inspections"): hazardous_share_inspections,
    ("1.2", "cases"): supported_in_time,
    ("1.3", "cases"): in_education,
    ("2.1a", "activities"): _informed("teachers_staff"),
    ("2.1b", "activities"): _informed("parents_caregivers"),
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
    ("4.2d", "cases"): two_follow_ups,
    ("4.2e", "cases"): out_of_child_labour_after_two,
    ("4.2f", "cases"): services_received,
    ("4.2g", "cases"): overdue,
}
"""Facts of every other (indicator, source), read whole from the clean tables: these tables are small."""


# ---------------------------------------------------------------- publishing


def reference_frames(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Area membership (:func:`with_legacy_members`), reference populations and targets, as loaded in the
    warehouse."""
    areas = with_legacy_members(conn, read_frame(conn, select(
        AreaCommune.area_level, AreaCommune.area_code, AreaCommune.code_list_version, AreaCommune.commune_code,
        AreaCommune.exact), ["area_level", "area_code", "code_list_version", "commune_code", "exact"]))
    populations = read_frame(conn, select(
        ReferencePopulation.area_level, ReferencePopulation.area_code, ReferencePopulation.code_list_version,
        ReferencePopulation.year, ReferencePopulation.population_group, ReferencePopulation.value),
        ["area_level", "area_code", "code_list_version", "year", "population_group", "value"])
    targets = read_frame(conn, select(
        Target.indicator_id, Target.jurisdiction_level, Target.jurisdiction_code, Target.code_list_version,
        Target.year, Target.comparator, Target.value, Target.source_document, Target.valid_from, Target.valid_to),
        ["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year",
         "comparator", "value", "source_document", "valid_from", "valid_to"])
    return areas, populations, targets


def with_legacy_members(conn: Connection, areas: pd.DataFrame) -> pd.DataFrame:
    """``areas`` with the legacy communes the clean tables have rows of, under their ``commune_key``: each is a
    member of its own old commune and old province where those are areas, and of every current area holding a
    new commune its territory went to (``legacy_commune``), exactly when the area holds all of them. Only those
    with rows: a current commune with a legacy member is summed as a larger area (``refresh``)."""
    present = set()
    for table in (Household, Inspection, Activity, Case):  # the code as an expression: SQLite scans the table
        #                                                    instead of walking the commune index to every row
        present.update(conn.execute(select(table.commune_code.concat("")).distinct()
                                    .where(table.code_list_version == LEGACY)).scalars())
    if not present:
        return areas
    lc = LegacyCommune
    went = read_frame(conn, select(lc.legacy_code, lc.legacy_province_code, lc.commune_code),
                      ["legacy_code", "legacy_province_code", "commune_code"])
    went = went[went["legacy_code"].isin(present)]
    parts = went[went["commune_code"] != ""]
    current = parts.merge(areas[areas["code_list_version"] != LEGACY], on="commune_code")
    current = current.groupby(["legacy_code", "area_level", "area_code", "code_list_version"], as_index=False).agg(
        held=("commune_code", "nunique"))
    current["exact"] = current["held"] == current["legacy_code"].map(parts.groupby("legacy_code")["commune_code"]
                                                                     .nunique())
    old = pd.concat([
        went[["legacy_code"]].assign(area_level="commune", area_code=went["legacy_code"]),
        went[["legacy_code"]].assign(area_level="province", area_code=went["legacy_province_code"]),
    ]).drop_duplicates().assign(code_list_version=LEGACY, exact=True)
    legacy_areas = areas.loc[areas["code_list_version"] == LEGACY, ["area_level", "area_code"]].drop_duplicates()
    old = old.merge(legacy_areas, on=["area_level", "area_code"])
    members = pd.concat([current.drop(columns="held"), old], ignore_index=True)
    members = members.assign(commune_code=LEGACY_KEY + members.pop("legacy_code"))
    return pd.concat([areas, members[areas.columns]], ignore_index=True)


SURVEY = "household_survey"
SUM_COLUMNS = [*KEYS, "numerator", "denominator", "members", "inexact_members"]
CELL_COLUMNS = [c.name for c in IndicatorValue.__table__.columns]


@dataclass(frozen=True)
class Refreshed:
    """What :func:`refresh` wrote."""

    survey_cells: int  # household-survey cells
    other_cells: int  # cells of the other sources
    reopened: tuple[approval.Reopened, ...] = ()  # approvals whose data changed (warehouse.indicators.approval)


def refresh(engine: Engine, settings: IndicatorSettings, rules_version: str) -> Refreshed:
    """Recompute ``restricted_indicator_value`` from the clean and classified tables, and ``indicator_value``
    made from it by disclosure control (``warehouse.indicators.disclosure``, over all the cells), in one transaction.

    The household-survey counts are summed by the database (``survey_counts.current``); the communes' cells, most
    of them, are made part by part (in worker processes when there are many) while this process writes the parts
    before. The larger areas are rolled up from the same counts.
    """
    iv = RestrictedIndicatorValue
    with _snapshot(engine) as conn:
        conn.execute(delete(iv))  # first: on SQLite the write lock, before any read
        areas, populations, targets = reference_frames(conn)
        frame = design_estimates.frame_units(conn)
        specs = [s for s in settings.specs if s.source == SURVEY]
        commune = (areas["area_level"] == "commune") & (areas["code_list_version"] != LEGACY)
        shared = areas.loc[commune & (areas["area_code"] != areas["commune_code"]), "area_code"]  # legacy members
        own = commune & (areas["area_code"] == areas["commune_code"]) & ~areas["area_code"].isin(shared)
        communes, larger = areas[own], areas[~own]
        commune_cells = partial(_commune_cells, specs=specs, settings=settings, targets=targets,
                                rules_version=rules_version)
        survey_written = 0
        most = sum(conn.execute(select(func.count()).select_from(table)).scalar()  # count rows, at most
                   for table in (ChildClassification, Household))
        with worker_pool(workers_for(most // PART_ROWS), engine) as pool:
            children, households = _counts(conn, pool)
            parts = _parts(children, households, communes)
            made = in_order(pool, ((commune_cells, *part) for part in parts), ahead=PARTS_AHEAD)
            cells = apply_targets(survey_cells(survey_sums(children, households, specs, larger), specs, settings),
                                  targets)
            del children, households, parts  # the parts' own copies are in the pool's hands
            for rows in made:
                survey_written += rows.insert_into(conn, iv.__table__)
        other = other_cells(conn, settings, areas, populations, targets)
        survey_written += insert_frame(conn, iv.__table__, _published(cells, rules_version))
        other_written = insert_frame(conn, iv.__table__, _published(other, rules_version))
        _publish_designed(conn, settings, specs, areas, targets, frame)
        disclosure.publish(conn, areas, disclosure.load_policy())
        reopened = approval.review(conn)
    return Refreshed(survey_written, other_written, tuple(reopened))


def _publish_designed(conn: Connection, settings: IndicatorSettings, specs: list[IndicatorSpec],
                      areas: pd.DataFrame, targets: pd.DataFrame, frame: pd.DataFrame) -> int:
    """The household-survey cells whose households all have a design, re-published with their design-based
    estimates (``design_estimates``), when a sample ``frame`` is loaded; how many. The frame is part of
    the basis of the published cells: a changed or withdrawn frame republishes everything."""
    if frame.empty:
        return 0
    children, households = survey_counts.by_sampling_unit(conn)
    units = design_estimates.unit_weights(frame, households)
    designed = [design_estimates.design_cells(SURVEY_FACTS[spec.indicator_id](children, households), spec, units,
                                              areas, settings.confidence) for spec in specs]
    return design_estimates.publish(conn, pd.concat(designed, ignore_index=True), targets, CELL_COLUMNS)


OWN_SHARE = 0.58  # of the communes, counted by this process: the worker first starts and imports the warehouse
#                  code, so this process takes the larger part (bench/RESULTS.md, "Tuning")


def _counts(conn: Connection, pool: Executor | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The survey counts as they stand (``survey_counts.current``), read in two shares of the communes at once,
    this process's and a worker's, when there is a ``pool``: the worker reads what ``conn``'s transaction
    reads (on SQLite ``conn`` holds the write lock, so nobody commits until it does; on PostgreSQL the worker
    imports the transaction's snapshot)."""
    h = Household
    communes = [] if pool is None else conn.execute(
        select(h.commune_code).distinct().order_by(h.commune_code)).scalars().all()
    if len(communes) < 2:
        return survey_counts.current(conn)
    middle = communes[max(0, round(len(communes) * OWN_SHARE) - 1)]
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar() if conn.dialect.name == "postgresql" \
        else None
    theirs = pool.submit(prepare_in_worker, partial(counts_in_snapshot, snapshot=snapshot), middle, None)
    mine = survey_counts.current_between(conn, None, middle)
    theirs = theirs.result()
    return tuple(pd.concat([m, t], ignore_index=True) for m, t in zip(mine, theirs, strict=True))


def counts_in_snapshot(conn: Connection, after: str | None, upto: str | None, *,
                       snapshot: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``survey_counts.current_between`` in the exported PostgreSQL ``snapshot`` of another transaction (none:
    as ``conn`` reads)."""
    if snapshot is not None:
        conn.execution_options(isolation_level="REPEATABLE READ")
        conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    return survey_counts.current_between(conn, after, upto)


PART_ROWS = 50_000  # count rows (children's and households') of the communes of one part (1M children: 14 parts)
PARTS_AHEAD = 4  # parts made ahead of the writing: enough to keep the worker busy while this process sums the
#                  larger areas, and no more (each waits in memory)


def _parts(children: pd.DataFrame, households: pd.DataFrame, communes: pd.DataFrame) -> list[tuple]:
    """The counts and own areas (``communes``) of groups of whole communes with about ``PART_ROWS`` count rows
    each, in commune order: ``(children, households, communes)`` for each part."""
    rows = children["commune_code"].value_counts().add(households["commune_code"].value_counts(), fill_value=0)
    part_of = ((rows.sort_index().cumsum() - 1) // PART_ROWS).astype(int)
    grouped = [dict(list(frame.groupby(frame["commune_code"].map(part_of))))  # part → rows; a frame with a commune
               for frame in (children, households, communes)]  # outside the parts has float parts (0.0 == 0)
    empty = [frame.iloc[:0] for frame in (children, households, communes)]
    return [tuple(g.get(part, e) for g, e in zip(grouped, empty, strict=True)) for part in sorted(set(part_of))]


def _commune_cells(children: pd.DataFrame, households: pd.DataFrame, communes: pd.DataFrame, *,
                   specs: list[IndicatorSpec], settings: IndicatorSettings, targets: pd.DataFrame,
                   rules_version: str) -> TableRows:
    """The published cells of the communes whose counts these are (``communes``: their own areas), ready to
    write: each commune's series are all here, its cells of one year compare with the year before."""
    cells = apply_targets(survey_cells(survey_sums(children, households, specs, communes), specs, settings), targets)
    return TableRows.of_frame(_published(cells, rules_version))


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A transaction whose reads all see one state of the warehouse (REPEATABLE READ on PostgreSQL; on SQLite
    the first write takes the only write lock, and the reads after it see a fixed state)."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, large_page_cache(conn), conn.begin():
        yield conn


def survey_sums(children: pd.DataFrame, households: pd.DataFrame, specs: list[IndicatorSpec],
                areas: pd.DataFrame) -> pd.DataFrame:
    """The sums of each household-survey cell over every area."""
    parts, groups = [], commune_groups(areas)
    for spec in specs:
        facts = SURVEY_FACTS[spec.indicator_id](children, households)
        if not facts.empty:
            parts.append(roll_up(facts, spec, areas, groups)[SUM_COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SUM_COLUMNS)


def survey_cells(sums: pd.DataFrame, specs: list[IndicatorSpec], settings: IndicatorSettings) -> pd.DataFrame:
    """Published cells (before targets) from the sums."""
    parts = []
    for spec in specs:
        rows = sums[(sums["indicator_id"] == spec.indicator_id) & (sums["source"] == spec.source)]
        if rows.empty:
            continue
        rows = rows.assign(exact=rows["inexact_members"] == 0).drop(columns=["members", "inexact_members"])
        parts.append(finish(rows.reset_index(drop=True), spec, settings.confidence))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CELL_COLUMNS)


def other_cells(conn: Connection, settings: IndicatorSettings, areas: pd.DataFrame, populations: pd.DataFrame,
                targets: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Every cell of the sources other than the household survey, from their clean tables (of ``year`` only,
    when given)."""
    parts, groups = [], None
    for spec in settings.specs:
        if spec.source == SURVEY:
            continue
        facts = pd.concat([FACTS[(part, spec.source)](conn, settings) for part in spec.pools or (spec.indicator_id,)],
                          ignore_index=True)
        if year is not None:
            facts = facts[facts["year"] == year]
        if facts.empty:
            continue
        if groups is None:  # made once, and only when a source has rows
            groups = commune_groups(areas)
        rolled = with_population_denominators(roll_up(facts, spec, areas, groups), spec, populations)
        parts.append(finish(rolled, spec, settings.confidence))
    return apply_targets(pd.concat(parts, ignore_index=True), targets) if parts else pd.DataFrame(columns=CELL_COLUMNS)


def _published(cells: pd.DataFrame, rules_version: str) -> pd.DataFrame:
    cells = cells.rename(columns={"exact": "exact_territory"})
    cells["exact_territory"] = cells["exact_territory"].astype(bool)
    cells["rules_version"] = rules_version
    cells["approval"] = approval.PROVISIONAL  # until approval.review says otherwise, in the same transaction
    cells["suppression_reason"] = None  # disclosure control decides (warehouse.indicators.disclosure)
    for column in ("numerator", "denominator", "target_year"):  # whole numbers, even after a concat with NULLs
        cells[column] = pd.to_numeric(cells[column]).astype("Int64")
    return cells[CELL_COLUMNS]
