"""The programme forms' cleaning steps, raw → clean: inspections and activity reports (the case forms':
``warehouse.cases.case_cleaning``).

Each is one declaration (:class:`warehouse.clean.steps.Cleaning`) run by the engine every form shares
(``warehouse.clean.steps.clean``). Young workers are classified by ``warehouse.classify.classify``.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import Engine

from warehouse.clean import activity, inspection
from warehouse.clean.answers import Context
from warehouse.clean.steps import Cleaning, StepStats, clean
from warehouse.raw.raw_store import BATCH_SIZE
from warehouse.schema.models import Activity, Inspection

CLEAN_LOGIC_VERSION = "4"  # 2: numbers and dates read strictly, the plausibility rules; 3: pre-2025 codes load;
#                           4: the visit's workflow state, assessment, plan and services


def clean_inspections(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed inspection submissions into inspections, young workers and quarantine rows."""
    return clean(engine, Cleaning("clean_inspection", clean_version(ctx), inspection.FORM_ID, "inspection",
                                  partial(inspection.parse_inspection, ctx=ctx), ctx.review, Inspection,
                                  checked=True), batch_size)


def clean_activities(engine: Engine, ctx: Context, batch_size: int = BATCH_SIZE) -> StepStats:
    """Turn changed activity reports into activities, their reach per audience group and quarantine rows."""
    return clean(engine, Cleaning("clean_activity", clean_version(ctx), activity.FORM_ID, "activity",
                                  partial(activity.parse_activity, ctx=ctx), ctx.review, Activity, checked=True),
                 batch_size)


def clean_version(ctx: Context) -> str:
    """The version of a programme form's cleaning: its logic, code list, plausibility rules and review policy."""
    return f"{CLEAN_LOGIC_VERSION}|{ctx.units.code_list_version}|{ctx.plausibility.version}|{ctx.review.version}"
