"""Assets of the household survey. Thin: each calls one plain step of ``warehouse`` and reports on it."""


import dagster as dg
from sqlalchemy import case, func, select

from dagster_project.metadata import table_metadata
from dagster_project.resources import WarehouseResource
from dagster_project.sources import SubmissionSource
from warehouse import indicators, raw_store, steps
from warehouse.admin_units import forms_dir, load_admin_units
from warehouse.classification import load_rules
from warehouse.form_choices import load_choices
from warehouse.household import FORM_ID, Context
from warehouse.models import (
    Child,
    ChildClassification,
    Household,
    IndicatorValue,
    Quarantine,
    RawSubmission,
)

GROUP = "household_survey"


@dg.asset(group_name=GROUP, deps=["household_survey_form"], kinds={"python"},
          description="Household-survey submissions exactly as received.")
def raw_household_submissions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, household_source: SubmissionSource
) -> dg.MaterializeResult:
    engine = warehouse.engine()
    source, project = household_source.source_name, household_source.project_key
    cursor = raw_store.read_cursor(engine, source, project, FORM_ID)
    run = household_source.open_sync(FORM_ID, cursor)
    stats = raw_store.store_records(engine, run)
    raw_store.save_cursor(engine, source, project, FORM_ID, run.cursor, stats.as_dict())
    context.log.info("synced %s from %s: %s", FORM_ID, source, stats.as_dict())
    with engine.connect() as conn:
        live, deleted = conn.execute(
            select(func.count().filter(RawSubmission.deleted_at.is_(None)),
                   func.count().filter(RawSubmission.deleted_at.is_not(None)))
            .where(RawSubmission.form_id == FORM_ID)
        ).one()
    preview = (select(RawSubmission.source, RawSubmission.instance_id, RawSubmission.form_version,
                      RawSubmission.submitted_at, RawSubmission.updated_at, RawSubmission.deleted_at,
                      RawSubmission.review_state)
               .where(RawSubmission.form_id == FORM_ID).order_by(RawSubmission.change_seq.desc()))
    return dg.MaterializeResult(metadata={
        **table_metadata(engine, RawSubmission.__table__, preview),
        **{f"sync/{k}": v for k, v in stats.as_dict().items()},
        **{f"source/{k}": v for k, v in household_source.describe().items()},
        "live_submissions": live,
        "deleted_submissions": deleted,
        "cursor": dg.MetadataValue.json(run.cursor),
    })


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec("households", group_name=GROUP, deps=[raw_household_submissions], kinds={"python"},
                     description="One row per interviewed household: typed, de-identified."),
        dg.AssetSpec("children", group_name=GROUP, deps=["households"], kinds={"python"},
                     description="One row per child aged 5–17: typed, de-identified."),
        dg.AssetSpec("household_quarantine", group_name=GROUP, deps=[raw_household_submissions],
                     kinds={"python"}, description="Rejected households and children, with the field and reason."),
    ],
)
def household_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    ctx = Context(warehouse.pseudonymizer, load_admin_units(),
                  load_choices(forms_dir() / f"{FORM_ID}.xlsx"))
    stats = steps.clean_households(engine, ctx)
    context.log.info("cleaned: %s", stats.as_dict())
    step = {"step/processed": stats.processed, "step/deleted": stats.deleted}
    yield dg.MaterializeResult(asset_key="households", metadata={
        **table_metadata(engine, Household.__table__, select(
            Household.household_id, Household.interview_date, Household.province_code, Household.commune_code,
            Household.consent, Household.hh_size, Household.poverty_status).order_by(Household.change_seq.desc())),
        **step, "step/loaded": stats.loaded["household"]})
    yield dg.MaterializeResult(asset_key="children", metadata={
        **table_metadata(engine, Child.__table__, select(
            Child.child_id, Child.sex, Child.age, Child.school_status, Child.working, Child.hours_week,
            Child.work_kinds, Child.hazards).order_by(Child.change_seq.desc())),
        "step/loaded": stats.loaded["child"]})
    yield dg.MaterializeResult(asset_key="household_quarantine", metadata={
        **table_metadata(engine, Quarantine.__table__, select(
            Quarantine.entity, Quarantine.repeat_index, Quarantine.field, Quarantine.reason_code,
            Quarantine.reason).where(Quarantine.form_id == FORM_ID).order_by(Quarantine.change_seq.desc())),
        "step/quarantined": dg.MetadataValue.json(dict(stats.quarantined))})


@dg.asset(group_name=GROUP, deps=["children"], kinds={"python"},
          description="Each child classified under vn_law and icls, with reason codes and the rules version.")
def child_classification(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    rules = load_rules()
    stats = steps.classify_children(engine, rules)
    cc = ChildClassification
    with engine.connect() as conn:
        summary = conn.execute(
            select(cc.rule_set, func.count(), func.sum(case((cc.child_labour, 1), else_=0)),
                   func.sum(case((cc.hazardous, 1), else_=0)))
            .group_by(cc.rule_set).order_by(cc.rule_set)
        ).all()
    return dg.MaterializeResult(metadata={
        **table_metadata(engine, cc.__table__, select(cc.child_id, cc.rule_set, cc.age_band, cc.child_labour,
                                                     cc.hazardous, cc.at_risk, cc.reasons)
                         .where(cc.child_labour).order_by(cc.child_id, cc.rule_set)),
        "rules_version": rules.version,
        "step/households_processed": stats.processed,
        "summary": dg.MetadataValue.md(
            "| rule set | children | child labour | hazardous |\n|---|---|---|---|\n"
            + "\n".join(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in summary)),
    })


@dg.asset(group_name=GROUP, deps=[child_classification], kinds={"python"},
          description="Indicators 1.1 and 1.1h by area, period and disaggregation, with Wilson 95% intervals.")
def child_labour_indicators(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    settings = indicators.load_settings()
    counts = indicators.count_children(engine)
    cells = indicators.compute_cells(counts, settings, load_rules().version, load_admin_units().code_list_version)
    ids = [i["id"] for i in settings.indicators]
    published = indicators.publish(engine, cells, ids)
    iv = IndicatorValue
    preview = (select(iv.indicator_id, iv.rule_set, iv.period, iv.area_level, iv.area_code, iv.numerator,
                      iv.denominator, iv.value, iv.ci_low, iv.ci_high, iv.suppressed)
               .where(iv.dimension == "total", iv.period_type == "year", iv.area_level != "commune")
               .order_by(iv.indicator_id, iv.rule_set, iv.period, iv.area_level, iv.area_code))
    return dg.MaterializeResult(metadata={
        **table_metadata(engine, iv.__table__, preview),
        "cells_published": published,
        "cells_suppressed": int(cells["suppressed"].sum()),
        "settings_version": settings.version,
        "min_cell": settings.min_cell,
    })
