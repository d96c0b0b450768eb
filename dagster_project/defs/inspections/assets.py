"""Assets of the workplace inspections. Thin: each calls one plain step of ``warehouse`` and reports on it."""

import dagster as dg
from sqlalchemy import case, func, select

from dagster_project.clean_assets import CleanTable, clean_assets
from dagster_project.messages import describe, labelled, md_table, step_sentence
from dagster_project.metadata import table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_young_workers
from warehouse.clean import programme_steps
from warehouse.clean.inspection import FORM_ID
from warehouse.schema.models import Inspection, YoungWorker, YoungWorkerClassification

GROUP = "inspections"

raw_workplace_inspection = raw_submissions_asset(FORM_ID, GROUP)


inspection_tables = clean_assets(
    "inspection_tables", FORM_ID, GROUP, raw_workplace_inspection, programme_steps.clean_inspections,
    [CleanTable("inspections", Inspection, (
        Inspection.inspection_id, Inspection.inspection_date, Inspection.commune_code, Inspection.establishment_type,
        Inspection.n_young_workers, Inspection.violations, Inspection.actions, Inspection.fine_amount)),
     CleanTable("young_workers", YoungWorker, (
         YoungWorker.worker_id, YoungWorker.sex, YoungWorker.age, YoungWorker.work_kinds, YoungWorker.workplaces,
         YoungWorker.hours_day, YoungWorker.hours_week, YoungWorker.hazards, YoungWorker.in_register))],
    "inspection_quarantine")


@dg.asset(group_name=GROUP, deps=["young_workers"], kinds={"python"},
          description=describe("young_worker_classification"))
def young_worker_classification(context: dg.AssetExecutionContext,
                                warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    rules = load_rules()
    stats = classify_young_workers(engine, rules)
    context.log.info(step_sentence("classified", stats))
    yc = YoungWorkerClassification
    with engine.connect() as conn:
        summary = conn.execute(
            select(yc.rule_set, func.count(), func.sum(case((yc.child_labour, 1), else_=0)),
                   func.sum(case((yc.hazardous, 1), else_=0)), func.sum(case((yc.at_risk, 1), else_=0)))
            .group_by(yc.rule_set).order_by(yc.rule_set)
        ).all()
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, yc.__table__, select(yc.worker_id, yc.rule_set, yc.age_band, yc.child_labour,
                                                     yc.hazardous, yc.at_risk, yc.reasons)
                         .where(yc.child_labour).order_by(yc.worker_id, yc.rule_set)),
        "rules_version": rules.version,
        "step/workers_classified": stats.processed,
        "summary": dg.MetadataValue.md(md_table(
            ["rule_set", "young_workers", "child_labour", "hazardous", "at_risk"], summary)),
    }))
