"""Incremental steps of the programme forms: inspections, case reports and visits, activity reports, raw → clean.

Same contract as the household survey's (``warehouse.steps``): each cleaning step reads the raw rows changed since
its checkpoint, replaces everything derived from them and moves the checkpoint in one transaction. Young workers
are classified by ``warehouse.classify``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, delete

from warehouse import activity, case_report, case_visit, inspection
from warehouse.answers import Context, Rows, child_facts, unreadable
from warehouse.bulk import TableRows, unstorable
from warehouse.classification import Rules, classify
from warehouse.models import (
    Activity,
    Base,
    CaseReport,
    CaseVisit,
    Inspection,
    Quarantine,
)
from warehouse.raw_store import BATCH_SIZE
from warehouse.review_states import ReviewPolicy
from warehouse.steps import StepStats, replace_changed, unstorable_value

CLEAN_LOGIC_VERSION = "4"  # 2: numbers and dates read strictly, the plausibility rules; 3: pre-2025 codes load;
#                           4: the visit's workflow state, assessment, plan and services
VN_LAW = "vn_law"
log = logging.getLogger(__name__)


def clean_inspections(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed inspection submissions into inspections, young workers and quarantine rows."""
    return _clean(engine, "clean_inspection", _version(ctx), inspection.FORM_ID, Inspection, "inspection",
                  lambda raw: inspection.parse_inspection(raw, ctx), ctx.review, batch_size)


def clean_activities(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed activity reports into activities, their reach per audience group and quarantine rows."""
    return _clean(engine, "clean_activity", _version(ctx), activity.FORM_ID, Activity, "activity",
                  lambda raw: activity.parse_activity(raw, ctx), ctx.review, batch_size)


def clean_case_reports(engine: Engine, ctx: Context, rules: Rules, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed case-report submissions into reports with their screening and restricted rows; a new rules
    version (age bands) re-cleans every report."""
    return _clean(engine, "clean_case_report", f"{_version(ctx)}|{rules.version}", case_report.FORM_ID, CaseReport,
                  "case_report", lambda raw: case_report.parse_case_report(raw, ctx, rules), ctx.review, batch_size)


def clean_case_visits(engine: Engine, ctx: Context, rules: Rules, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed follow-up submissions into case visits, each with the child's work classified under
    ``vn_law`` as at that visit; a new rules version re-cleans every visit."""

    def parse(raw: Any) -> Rows:
        rows = case_visit.parse_case_visit(raw, ctx)
        rows.tables["case_visit"] = [_with_vn_law(v, rules) for v in rows.tables.get("case_visit", [])]
        return rows

    return _clean(engine, "clean_case_visit", f"{_version(ctx)}|{rules.version}", case_visit.FORM_ID, CaseVisit,
                  "case_visit", parse, ctx.review, batch_size)


def _with_vn_law(visit: dict, rules: Rules) -> dict:
    """The visit with its ``vn_law`` classification. At 18 (the visit closing a case) the child is an adult:
    not child labour, and outside the rules' scope, so no reasons."""
    if visit["age"] > rules.max_age:
        return {**visit, "rules_version": rules.version, "child_labour": False, "reasons": ""}
    facts = child_facts(visit, chores_hours_week=visit["chores_hours_week"], school_status=visit["school_status"])
    vn_law = next(c for c in classify(facts, rules) if c.rule_set == VN_LAW)
    return {**visit, "rules_version": rules.version, "child_labour": vn_law.child_labour,
            "reasons": " ".join(vn_law.reasons)}


def _version(ctx: Context) -> str:
    return f"{CLEAN_LOGIC_VERSION}|{ctx.units.code_list_version}|{ctx.plausibility.version}|{ctx.review.version}"


def _clean(engine: Engine, step: str, version: str, form_id: str, main: type, entity: str,
           parse: Callable[[Any], Rows], review: ReviewPolicy, batch_size: int) -> StepStats:
    stats = StepStats()
    reviewed = partial(_reviewed, parse=parse, review=review, entity=entity)
    replace_changed(engine, step, version, form_id,
                    lambda conn, rows: _replace(conn, rows, main, entity, reviewed, stats), batch_size)
    return stats


def _reviewed(raw: Any, *, parse: Callable[[Any], Rows], review: ReviewPolicy, entity: str) -> Rows:
    """What ``parse`` makes of ``raw``, or, when the review policy excludes it, the submission quarantined whole,
    unread (as ``entity``)."""
    excluded = review.excluded(raw)
    if excluded is None:
        return parse(raw)
    rows = Rows()
    rows.reject(excluded, entity)
    return rows


def _replace(conn: Connection, raws: list, main: type, entity: str, parse: Callable[[Any], Rows],
             stats: StepStats) -> None:
    """Delete what ``raws`` gave before (``main`` rows cascade to the tables below them) and insert what they give
    now; a row gets ``raw_submission_id`` and ``change_seq`` where its table has those columns. A submission that
    cannot be read at all, or with a value a column would refuse (checked always: these forms are small), is
    quarantined whole, as ``entity``."""
    raw_ids = [r.id for r in raws]
    conn.execute(delete(Quarantine).where(Quarantine.raw_submission_id.in_(raw_ids)))
    conn.execute(delete(main).where(main.raw_submission_id.in_(raw_ids)))
    tables: dict[str, list[dict]] = defaultdict(list)
    for raw in raws:
        stats.processed += 1
        if raw.deleted_at:
            stats.deleted += 1
            continue
        try:
            parsed = parse(raw)
        except Exception as error:  # noqa: BLE001 - a shape no check foresaw: quarantined, never a stuck batch
            log.warning("submission %s of %s could not be read: %s", raw.instance_id, raw.form_id,
                        type(error).__name__)
            parsed = Rows()
            parsed.reject(unreadable(error), entity)
        parsed = _storable(parsed, raw, entity)
        stamp = {"raw_submission_id": raw.id, "change_seq": raw.change_seq}
        for q in parsed.quarantine:
            tables["quarantine"].append({**q, **stamp, "form_id": raw.form_id, "instance_id": raw.instance_id})
            stats.quarantined[q["entity"]] += 1
        for name, rows in parsed.tables.items():
            columns = Base.metadata.tables[name].c
            tables[name].extend({**row, **{k: v for k, v in stamp.items() if k in columns}} for row in rows)
            stats.loaded[name] += len(rows)
    for table in Base.metadata.sorted_tables:
        TableRows.of(tables[table.name]).insert_into(conn, table)


def _storable(parsed: Rows, raw: Any, entity: str) -> Rows:
    """``parsed``, or the submission quarantined whole when a column would refuse one of its values."""
    rows = [(name, row) for name, table_rows in parsed.tables.items() for row in table_rows]
    for name, row in [*rows, *(("quarantine", q) for q in parsed.quarantine)]:
        column = unstorable(Base.metadata.tables[name], row)
        if column is not None:
            log.warning("submission %s of %s: a value cannot be stored (%s.%s); quarantined", raw.instance_id,
                        raw.form_id, name, column)
            rejected = Rows()
            rejected.reject(unstorable_value(f"{name}.{column}"), entity)
            return rejected
    return parsed
