"""The warehouse as of a data cut-off date: only what was submitted by the end of that day counts.

The clean tables keep no submission time; their raw submission does (``raw_submission.submitted_at``, the
platform's: Central's ``submissionDate``, Kobo's ``_submission_time``; when a route gave none, the time the
warehouse first stored it, which is never earlier). The cut-off is the end of the day in Vietnam (UTC+7, no
daylight saving). :func:`warehouse_as_of` copies into a temporary SQLite file the reference tables (areas only
as they hold the area's own communes: the copy serves this area's report) and the area's clean rows whose
submissions were made by then (a household with its children and their classifications, an inspection with its
young workers, an activity with its reach, a follow-up visit); keeps the cases whose subject or a visit is there and
folds their visits again; recomputes every indicator on it; then copies the approvals, which a report compares with
this data. The report reads the copy as it reads the warehouse. With a date range (an ad-hoc report), only the
households interviewed, inspections, activities and visits of its days are copied, and the cases identified or
visited in it. A submission made before the cut-off counts with its
current content: an edit or a review made on the platform after the cut-off applies (the versions before are in
``raw_submission_history``, not replayed here).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, and_, create_engine, insert, or_, select, true

from warehouse.cases import case_register
from warehouse.classify.classification import load_rules
from warehouse.indicators import indicators
from warehouse.indicators.approval import LEGACY, AreaPeriod, area_communes
from warehouse.indicators.periods import DateRange
from warehouse.schema.db import use_sqlite_adapters
from warehouse.schema.models import (
    Activity,
    ActivityReach,
    Approval,
    AreaCommune,
    Base,
    BudgetLine,
    Case,
    CaseVisit,
    Child,
    ChildClassification,
    Household,
    IndicatorResponsibility,
    Inspection,
    LegacyCommune,
    ProgrammeSite,
    RawSubmission,
    ReferencePopulation,
    ReferenceUpload,
    Target,
    YoungWorker,
    YoungWorkerClassification,
)

VIETNAM = timezone(timedelta(hours=7))
WHOLE = (ReferenceUpload, Target, ReferencePopulation, ProgrammeSite, IndicatorResponsibility, BudgetLine)
BATCH = 5_000


def end_of(day: date) -> datetime:
    """The instant the cut-off day ends in Vietnam."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)


def submitted_by(conn: Connection, cutoff: date) -> set[int]:
    """The live raw submissions made by the end of ``cutoff``."""
    end, kept = end_of(cutoff), set()
    r = RawSubmission
    for raw_id, submitted, loaded in conn.execute(select(r.id, r.submitted_at, r.first_loaded_at)
                                                  .where(r.deleted_at.is_(None))):
        moment = _instant(submitted) or _instant(loaded)
        if moment is not None and moment < end:
            kept.add(raw_id)
    return kept


@contextmanager
def warehouse_as_of(engine: Engine, cutoff: date, area: AreaPeriod, settings: indicators.IndicatorSettings,
                    within: DateRange | None = None) -> Iterator[Engine]:
    """A temporary warehouse with the data of ``area`` submitted by the end of ``cutoff`` (and dated ``within``
    the range, if given), its indicators made with ``settings``; removed on exit."""
    with tempfile.TemporaryDirectory(prefix="clms-cutoff-") as folder:
        use_sqlite_adapters()
        copy = create_engine(f"sqlite:///{Path(folder) / 'as_of.sqlite'}")
        try:
            Base.metadata.create_all(copy)
            with engine.connect() as source, copy.begin() as target:
                _copy(source, target, cutoff, area, within)
            case_register.update_case_register(copy)
            indicators.refresh(copy, settings, load_rules().version)
            with engine.connect() as source, copy.begin() as target:  # after the refresh: read, never reviewed
                _write(target, Approval.__table__, source.execute(select(Approval.__table__)))
            yield copy
        finally:
            copy.dispose()


def _copy(source: Connection, target: Connection, cutoff: date, area: AreaPeriod, within: DateRange | None) -> None:
    for model in WHOLE:
        _write(target, model.__table__, source.execute(select(model.__table__)))
    kept = submitted_by(source, cutoff)
    communes, legacy = area_communes(source, area)
    ac, lc = AreaCommune, LegacyCommune
    everywhere = area.level == "national"
    _write(target, ac.__table__, source.execute(select(ac.__table__).where(
        true() if everywhere else ac.commune_code.in_(communes))))
    _write(target, lc.__table__, source.execute(select(lc.__table__).where(
        true() if everywhere else lc.legacy_code.in_(legacy))))

    def in_area(table):
        if everywhere:
            return true()
        return or_(and_(table.code_list_version != LEGACY, table.commune_code.in_(communes)),
                   and_(table.code_list_version == LEGACY, table.commune_code.in_(legacy)))

    def dated(day) -> bool:
        return within is None or within.first <= day <= within.last

    households = _rows(source, select(Household.__table__).where(in_area(Household)),
                       lambda r: r.raw_submission_id in kept and dated(r.interview_date))
    homes = {r.household_id for r in households}
    children = _rows(source, select(Child.__table__).join(Household, Household.household_id == Child.household_id)
                     .where(in_area(Household)), lambda r: r.household_id in homes)
    kids = {r.child_id for r in children}
    classes = _rows(source, select(ChildClassification.__table__)
                    .join(Child, Child.child_id == ChildClassification.child_id)
                    .join(Household, Household.household_id == Child.household_id).where(in_area(Household)),
                    lambda r: r.child_id in kids)
    inspections = _rows(source, select(Inspection.__table__).where(in_area(Inspection)),
                        lambda r: r.raw_submission_id in kept and dated(r.inspection_date))
    inspected = {r.inspection_id for r in inspections}
    workers = _rows(source, select(YoungWorker.__table__)
                    .join(Inspection, Inspection.inspection_id == YoungWorker.inspection_id)
                    .where(in_area(Inspection)), lambda r: r.inspection_id in inspected)
    found = {r.worker_id for r in workers}
    worker_classes = _rows(source, select(YoungWorkerClassification.__table__)
                           .join(YoungWorker, YoungWorker.worker_id == YoungWorkerClassification.worker_id)
                           .join(Inspection, Inspection.inspection_id == YoungWorker.inspection_id)
                           .where(in_area(Inspection)), lambda r: r.worker_id in found)
    activities = _rows(source, select(Activity.__table__).where(in_area(Activity)),
                       lambda r: r.raw_submission_id in kept and dated(r.activity_date))
    held = {r.activity_id for r in activities}
    reach = _rows(source, select(ActivityReach.__table__)
                  .join(Activity, Activity.activity_id == ActivityReach.activity_id).where(in_area(Activity)),
                  lambda r: r.activity_id in held)
    visits = _rows(source, select(CaseVisit.__table__).join(Case, Case.case_id == CaseVisit.case_id)
                   .where(in_area(Case)), lambda r: r.raw_submission_id in kept and dated(r.visit_date))
    visited = {r.case_id for r in visits}
    cases = _rows(source, select(Case.__table__).where(in_area(Case)),
                  lambda r: (r.subject_id in kids or r.subject_id in found) and dated(r.identified_on)
                   or r.case_id in visited)
    for model, rows in ((Household, households), (Child, children), (ChildClassification, classes),
                        (Inspection, inspections), (YoungWorker, workers), (YoungWorkerClassification, worker_classes),
                        (Activity, activities), (ActivityReach, reach), (Case, cases), (CaseVisit, visits)):
        _write(target, model.__table__, rows)


def _rows(conn: Connection, query, keep) -> list:
    return [row for row in conn.execute(query) if keep(row)]


def _write(conn: Connection, table: Table, rows: Iterable) -> None:
    batch = []
    for row in rows:
        batch.append(dict(row._mapping))
        if len(batch) == BATCH:
            conn.execute(insert(table), batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)


def _instant(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
