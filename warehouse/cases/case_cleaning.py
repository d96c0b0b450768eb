"""The case forms' cleaning steps, raw → clean: case reports with their screening, and follow-up visits with the
child's work classified under ``vn_law`` as at each visit. One declaration each
(:class:`warehouse.clean.steps.Cleaning`), versioned with the programme forms' cleaning and the rules."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import Engine

from warehouse.cases import case_report, case_visit
from warehouse.cases.case_report import VN_LAW
from warehouse.classify.classification import Rules, classify
from warehouse.classify.classify import child_facts
from warehouse.clean.answers import Context, Rows
from warehouse.clean.programme_steps import clean_version
from warehouse.clean.steps import Cleaning, StepStats, clean
from warehouse.raw.raw_store import BATCH_SIZE
from warehouse.schema.models import CaseReport, CaseVisit


def clean_case_reports(engine: Engine, ctx: Context, rules: Rules, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed case-report submissions into reports with their screening and restricted rows; a new rules
    version (age bands) re-cleans every report."""
    return clean(engine, Cleaning("clean_case_report", f"{clean_version(ctx)}|{rules.version}", case_report.FORM_ID,
                                  "case_report", partial(case_report.parse_case_report, ctx=ctx, rules=rules),
                                  ctx.review, CaseReport, checked=True), batch_size)


def clean_case_visits(engine: Engine, ctx: Context, rules: Rules, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed follow-up submissions into case visits, each with the child's work classified under
    ``vn_law`` as at that visit; a new rules version re-cleans every visit."""
    return clean(engine, Cleaning("clean_case_visit", f"{clean_version(ctx)}|{rules.version}", case_visit.FORM_ID,
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
