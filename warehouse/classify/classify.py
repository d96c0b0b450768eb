"""The classification step: every subject with no classification under the current rules version is classified:
a household-survey child and a young worker found at an inspection under every rule set, each in a table of
classifications; a case visit under ``vn_law`` (the child's work as at that visit), in the visit's own row.

No checkpoint: a re-cleaned subject lost its classifications with its row, and a new rules version leaves every
stored one stale, so what is missing is exactly what is to do; a crash leaves only what the next run finds
missing. Stale classifications are replaced batch by batch, in the transaction that writes the new ones. A
large backlog is classified in worker processes while this one writes (:mod:`warehouse.clean.prefetch`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, exists, func, or_, select, update

from warehouse.classify.classification import VN_LAW, ChildFacts, Classification, Rules, classify
from warehouse.clean.answers import codes
from warehouse.clean.prefetch import batch_ranges
from warehouse.clean.steps import STEP_BATCH_SIZE, StepStats, write_batches
from warehouse.infra.bulk import FreshStatistics, TableRows
from warehouse.schema.models import (
    CaseVisit,
    Child,
    ChildClassification,
    Household,
    YoungWorker,
    YoungWorkerClassification,
)


@dataclass(frozen=True)
class Subject:
    """What is classified: rows of ``subject`` (ordered by its ``change_seq``), with their classifications in
    ``model``, one row per rule set, joined by the ``key`` column they share."""

    subject: type
    model: type
    key: str

    def unclassified(self, version: str):
        """A condition on ``subject``: no classification under rules ``version``."""
        return ~exists().where(getattr(self.model, self.key) == getattr(self.subject, self.key),
                               self.model.rules_version == version)

    def classifications_each(self, rules: Rules) -> int:
        """How many classifications a subject has under ``rules``."""
        return len(rules.rule_sets)

    def write(self, conn: Connection, batch: _Batch) -> None:
        """Replace the batch's subjects' classifications of any version."""
        conn.execute(delete(self.model).where(getattr(self.model, self.key).in_(batch.ids)))
        batch.rows.insert_into(conn, self.model.__table__)


@dataclass(frozen=True)
class InRowSubject(Subject):
    """A subject classified under one rule set in its own row's columns (``model`` is ``subject``)."""

    def unclassified(self, version: str):
        return or_(self.model.rules_version.is_(None), self.model.rules_version != version)

    def classifications_each(self, rules: Rules) -> int:
        return 1

    def write(self, conn: Connection, batch: _Batch) -> None:
        rows, key = batch.rows, self.key
        params = [{f"new_{c}": v for c, v in zip(rows.columns, row, strict=True)} for row in rows.values]
        if params:
            conn.execute(update(self.model).where(getattr(self.model, key) == bindparam(f"new_{key}"))
                         .values({c: bindparam(f"new_{c}") for c in rows.columns if c != key}), params)


CHILDREN = Subject(Child, ChildClassification, "child_id")
YOUNG_WORKERS = Subject(YoungWorker, YoungWorkerClassification, "worker_id")
VISITS = InRowSubject(CaseVisit, CaseVisit, "visit_id")


def classify_children(engine: Engine, rules: Rules, batch_size: int = STEP_BATCH_SIZE) -> StepStats:
    """Classify the children not classified under ``rules.version``, each with all its household's children
    (a child's facts depend on its siblings' work)."""
    return _classify(engine, CHILDREN, rules, partial(_children, rules=rules), batch_size,
                     FreshStatistics(ChildClassification.__tablename__, Child.__tablename__, Household.__tablename__))


def classify_young_workers(engine: Engine, rules: Rules, batch_size: int = STEP_BATCH_SIZE) -> StepStats:
    """Classify the young workers not classified under ``rules.version``."""
    return _classify(engine, YOUNG_WORKERS, rules, partial(_young_workers, rules=rules), batch_size,
                     FreshStatistics(YoungWorkerClassification.__tablename__))


def classify_visits(engine: Engine, rules: Rules, batch_size: int = STEP_BATCH_SIZE) -> StepStats:
    """Classify under ``vn_law`` the case visits not classified under ``rules.version``: the child's work as at
    each visit."""
    return _classify(engine, VISITS, rules, partial(_visits, rules=rules), batch_size, FreshStatistics())


def _classify(engine: Engine, subject: Subject, rules: Rules, prepare, batch_size: int,
              statistics: FreshStatistics) -> StepStats:
    seq, unclassified = subject.subject.change_seq, subject.unclassified(rules.version)
    with engine.connect() as conn:
        first = conn.execute(select(func.min(seq)).where(unclassified)).scalar()
        ranges = [] if first is None else batch_ranges(conn, seq, unclassified, first - 1, batch_size)
    return write_batches(engine, {}, ranges, prepare, subject.write, statistics)


@dataclass
class _Batch:
    last: int
    ids: list[str]  # the subjects classified: their classifications of any version are replaced
    rows: TableRows
    stats: StepStats
    warnings: tuple[str, ...] = ()


def _children(conn: Connection, after: int, upto: int, *, rules: Rules) -> _Batch:
    """The classifications of every child of the households in ``(after, upto]`` with a child to classify."""
    c = Child
    households = (select(c.household_id).where(c.change_seq > after, c.change_seq <= upto,
                                               CHILDREN.unclassified(rules.version)))
    children = defaultdict(list)
    for row in conn.execute(select(c, Household.poverty_status).join(Household, Household.household_id ==
                                                                   c.household_id)
                            .where(c.household_id.in_(households))):
        children[row.household_id].append(row._mapping)
    rows = []
    for household in children.values():
        working = sum(bool(child["working"]) for child in household)
        poor = household[0]["poverty_status"] in ("poor", "near_poor")
        for child in household:
            facts = child_facts(child, chores_hours_week=child["chores_hours_week"],
                                school_status=child["school_status"], poor_household=poor,
                                working_sibling=working - bool(child["working"]) > 0)
            rows.extend({"child_id": child["child_id"], **classification_columns(cl)} for cl in classify(facts, rules))
    return _batch(upto, [child["child_id"] for household in children.values() for child in household], rows,
                  CHILDREN)


def _young_workers(conn: Connection, after: int, upto: int, *, rules: Rules) -> _Batch:
    w = YoungWorker
    workers = conn.execute(select(w).where(w.change_seq > after, w.change_seq <= upto,
                                           YOUNG_WORKERS.unclassified(rules.version))).all()
    rows = [{"worker_id": worker.worker_id, **classification_columns(c)}
            for worker in workers for c in classify(child_facts(worker._mapping), rules)]
    return _batch(upto, [worker.worker_id for worker in workers], rows, YOUNG_WORKERS)


def _visits(conn: Connection, after: int, upto: int, *, rules: Rules) -> _Batch:
    v = CaseVisit
    visits = conn.execute(select(v).where(v.change_seq > after, v.change_seq <= upto,
                                          VISITS.unclassified(rules.version))).all()
    return _batch(upto, [visit.visit_id for visit in visits],
                  [{"visit_id": visit.visit_id, **_vn_law(visit._mapping, rules)} for visit in visits], VISITS)


def _vn_law(visit: Mapping[str, Any], rules: Rules) -> dict:
    """A visit's classification columns. At 18 (the visit closing a case) the child is an adult: not child labour,
    and outside the rules' scope, so no reasons."""
    if visit["age"] > rules.max_age:
        return {"rules_version": rules.version, "child_labour": False, "reasons": ""}
    facts = child_facts(visit, chores_hours_week=visit["chores_hours_week"], school_status=visit["school_status"])
    vn_law = next(c for c in classify(facts, rules) if c.rule_set == VN_LAW)
    return {"rules_version": rules.version, "child_labour": vn_law.child_labour, "reasons": " ".join(vn_law.reasons)}


def _batch(upto: int, ids: list[str], rows: list[dict], subject: Subject) -> _Batch:
    stats = StepStats(processed=len(ids))
    stats.loaded[subject.model.__tablename__] += len(rows)
    return _Batch(upto, ids, TableRows.of(rows), stats)


def classification_columns(c: Classification) -> dict:
    """The ``ClassificationColumns`` of a stored classification."""
    return {"rule_set": c.rule_set, "rules_version": c.rules_version, "age_band": c.age_band, "working": c.working,
            "child_labour": c.child_labour, "hazardous": c.hazardous, "at_risk": c.at_risk,
            "reasons": " ".join(c.reasons)}


def child_facts(row: Mapping[str, Any], **more: Any) -> ChildFacts:
    """The classifier's input from a row with ``age`` and the ``WorkAnswers`` columns (a child, a young worker,
    a case visit); ``more`` gives the other :class:`ChildFacts` fields the row's form asks."""
    return ChildFacts(
        age=row["age"],
        working=row["working"],
        hours_day=row["hours_day"],
        hours_week=row["hours_week"],
        night_work=bool(row["night_work"]),
        overtime=bool(row["overtime"]),
        work_kinds=codes(row["work_kinds"]),
        workplaces=codes(row["workplaces"]),
        hazards=codes(row["hazards"]),
        performance_approved=bool(row["performance_approved"]),
        **more,
    )
