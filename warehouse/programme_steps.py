"""The programme forms' cleaning steps, raw → clean: inspections, case reports and visits, activity reports.

Each is one declaration (:class:`warehouse.steps.Cleaning`) run by the engine every form shares
(``warehouse.steps.clean``). Young workers are classified by ``warehouse.classify``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import Engine

from warehouse import activity, case_report, case_visit, inspection
from warehouse.answers import Context, Rows, child_facts
from warehouse.classification import Rules, classify
from warehouse.models import Activity, CaseReport, CaseVisit, Inspection
from warehouse.raw_store import BATCH_SIZE
from warehouse.steps import Cleaning, StepStats, clean

CLEAN_LOGIC_VERSION = "4"  # 2: numbers and dates read strictly, the plausibility rules; 3: pre-2025 codes load;
#                           4: the visit's workflow state, assessment, plan and services
VN_LAW = "vn_law"


def clean_inspections(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed inspection submissions into inspections, young workers and quarantine rows."""
    return clean(engine, Cleaning("clean_inspection", _version(ctx), inspection.FORM_ID, "inspection",
                                  partial(inspection.parse_inspection, ctx=ctx), ctx.review, Inspection,
                                  checked=True), batch_size)


def clean_activities(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed activity reports into activities, their reach per audience group and quarantine rows."""
    return clean(engine, Cleaning("clean_activity", _version(ctx), activity.FORM_ID, "activity",
                                  partial(activity.parse_activity, ctx=ctx), ctx.review, Activity, checked=True),
                 batch_size)


def clean_case_reports(engine: Engine, ctx: Context, rules: Rules, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed case-report submissions into reports with their screening and restricted rows; a new rules
    version (age bands) re-cleans every report."""
    return clean(engine, Cleaning("clean_case_report", f"{_version(ctx)}|{rules.version}", case_report.FORM_ID,
                                  "case_report", partial(case_report.parse_case_report, ctx=ctx, rules=rules),
                                  ctx.review, CaseReport, checked=True), batch_size)


def clean_case_visits(engine: Engine, ctx: Context, rules: Rules, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed follow-up submissions into case visits, each with the child's work classified under
    ``vn_law`` as at that visit; a new rules version re-cleans every visit."""
    return clean(engine, Cleaning("clean_case_visit", f"{_version(ctx)}|{rules.version}", case_visit.FORM_ID,
                                  "case_visit", partial(_parse_visit, ctx=ctx, rules=rules), ctx.review, CaseVisit,
                                  checked=True), batch_size)


def _parse_visit(raw: Any, *, ctx: Context, rules: Rules) -> Rows:
    rows = case_visit.parse_case_visit(raw, ctx)
    rows.tables["case_visit"] = [_with_vn_law(v, rules) for v in rows.tables.get("case_visit", [])]
    return rows


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
