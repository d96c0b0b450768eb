"""The case forms' cleaning steps, raw → clean: case reports with their screening, and follow-up visits (each
classified afterwards by ``warehouse.classify.classify``). One declaration each (:class:`warehouse.clean.steps.
Cleaning`), versioned with the programme forms' cleaning."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Engine

from warehouse.cases import case_report, case_visit
from warehouse.classify.classification import Rules
from warehouse.clean.answers import Context
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


def clean_case_visits(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed follow-up submissions into case visits, not yet classified, and their services."""
    return clean(engine, Cleaning("clean_case_visit", clean_version(ctx), case_visit.FORM_ID, "case_visit",
                                  partial(case_visit.parse_case_visit, ctx=ctx), ctx.review, CaseVisit,
                                  checked=True), batch_size)
