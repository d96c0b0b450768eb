"""Assets of the activity reports: one declaration of their cleaning (``dagster_project.clean_assets``)."""

import dagster as dg
from sqlalchemy import Engine, func, select

from dagster_project.clean_assets import CleanTable, clean_assets
from dagster_project.messages import md_table
from dagster_project.raw_assets import raw_submissions_asset
from warehouse.clean import programme_steps
from warehouse.clean.activity import FORM_ID
from warehouse.schema.models import Activity, ActivityReach

GROUP = "activities"

raw_activity_report = raw_submissions_asset(FORM_ID, GROUP)


def _by_audience(engine: Engine) -> dict:
    r = ActivityReach
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.audience, func.count(), func.sum(r.reached), func.sum(r.reached_new),
                   func.sum(r.reached_new_trained)).group_by(r.audience).order_by(r.audience)).all()
    return {"by_audience": dg.MetadataValue.md(md_table(["audience", "activities", "reached", "new", "new_trained"],
                                                        [(*row[:4], row[4] or "") for row in rows]))}


activity_tables = clean_assets(
    "activity_tables", FORM_ID, GROUP, raw_activity_report, programme_steps.clean_activities,
    [CleanTable("activities", Activity, (
        Activity.activity_id, Activity.activity_date, Activity.commune_code, Activity.activity_type,
        Activity.participants_male, Activity.participants_female, Activity.participants_total)),
     CleanTable("activity_reach", ActivityReach, (
         ActivityReach.activity_id, ActivityReach.audience, ActivityReach.reached, ActivityReach.reached_new,
         ActivityReach.reached_new_trained), _by_audience)],
    "activity_quarantine")
