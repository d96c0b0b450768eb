"""Assets of the activity reports. Thin: one plain step of ``warehouse`` and a report on it."""

import dagster as dg
from sqlalchemy import func, select

from dagster_project.messages import describe, labelled, md_table, step_sentence
from dagster_project.metadata import quarantine_metadata, table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from warehouse import programme_steps
from warehouse.activity import FORM_ID
from warehouse.answers import Context
from warehouse.models import Activity, ActivityReach

GROUP = "activities"

raw_activity_report = raw_submissions_asset(FORM_ID, GROUP)


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec("activities", group_name=GROUP, deps=[raw_activity_report], kinds={"python"},
                     description=describe("activities")),
        dg.AssetSpec("activity_reach", group_name=GROUP, deps=["activities"], kinds={"python"},
                     description=describe("activity_reach")),
        dg.AssetSpec("activity_quarantine", group_name=GROUP, deps=[raw_activity_report], kinds={"python"},
                     description=describe("activity_quarantine")),
    ],
)
def activity_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    stats = programme_steps.clean_activities(engine, Context.of_form(warehouse.pseudonymizer, FORM_ID))
    context.log.info(step_sentence("cleaned", stats))
    a, r = Activity, ActivityReach
    with engine.connect() as conn:
        by_audience = conn.execute(
            select(r.audience, func.count(), func.sum(r.reached), func.sum(r.reached_new),
                   func.sum(r.reached_new_trained)).group_by(r.audience).order_by(r.audience)).all()
    yield dg.MaterializeResult(asset_key="activities", metadata=labelled({
        **table_metadata(engine, a.__table__, select(
            a.activity_id, a.activity_date, a.commune_code, a.activity_type, a.participants_male,
            a.participants_female, a.participants_total).order_by(a.change_seq.desc())),
        "step/processed": stats.processed, "step/deleted": stats.deleted, "step/loaded": stats.loaded["activity"]}))
    yield dg.MaterializeResult(asset_key="activity_reach", metadata=labelled({
        **table_metadata(engine, r.__table__, select(r.activity_id, r.audience, r.reached, r.reached_new,
                                                    r.reached_new_trained)),
        "step/loaded": stats.loaded["activity_reach"],
        "by_audience": dg.MetadataValue.md(md_table(
            ["audience", "activities", "reached", "new", "new_trained"],
            [(*row[:4], row[4] or "") for row in by_audience]))}))
    yield dg.MaterializeResult(asset_key="activity_quarantine", metadata=labelled(
        quarantine_metadata(engine, FORM_ID, stats.quarantined)))
