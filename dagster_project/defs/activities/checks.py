"""Data-quality checks of the activity reports, next to their assets."""

import dagster as dg
from sqlalchemy import func, or_, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from dagster_project.table_checks import communes_valid, ids_unique, raw_accounted_for, scalar
from warehouse.clean.activity import FORM_ID
from warehouse.schema.models import Activity, ActivityReach

activities_accounted_for = raw_accounted_for("activities", FORM_ID, Activity, "activity")
activities_ids_unique = ids_unique("activities", Activity.activity_id)
activities_communes_valid = communes_valid("activities", Activity.commune_code)


@dg.asset_check(asset="activity_reach", description=describe("activity_counts_consistent"))
def activity_counts_consistent(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    a, r = Activity, ActivityReach
    bad_totals = scalar(warehouse, select(func.count()).select_from(a).where(
        a.participants_total != a.participants_male + a.participants_female))
    bad_reach = scalar(warehouse, select(func.count()).select_from(r).join(a, a.activity_id == r.activity_id).where(
        or_(r.reached > a.participants_total, r.reached_new > r.reached, r.reached_new_trained > r.reached,
            r.reached_new_trained < r.reached_new)))
    return dg.AssetCheckResult(passed=bad_totals == 0 and bad_reach == 0,
                               metadata=labelled({"totals_not_adding_up": bad_totals,
                                                          "reach_rows_inconsistent": bad_reach}))
