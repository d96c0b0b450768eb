"""Data-quality checks of the workplace inspections, next to their assets."""

import dagster as dg
from sqlalchemy import func, or_, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from dagster_project.table_checks import communes_valid, ids_unique, raw_accounted_for, scalar
from warehouse.answers import load_plausibility
from warehouse.classification import load_rules
from warehouse.inspection import FORM_ID
from warehouse.models import Inspection, YoungWorker, YoungWorkerClassification

inspections_accounted_for = raw_accounted_for("inspections", FORM_ID, Inspection, "inspection")
inspections_ids_unique = ids_unique("inspections", Inspection.inspection_id)
inspections_communes_valid = communes_valid("inspections", Inspection.commune_code)
young_workers_ids_unique = ids_unique("young_workers", YoungWorker.worker_id)


@dg.asset_check(asset="young_workers", description=describe("young_worker_ages"))
def young_worker_ages(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    first, last = load_plausibility().surveyed_ages
    out_of_range = scalar(warehouse, select(func.count()).select_from(YoungWorker)
                          .where(or_(YoungWorker.age < first, YoungWorker.age > last)))
    return dg.AssetCheckResult(passed=out_of_range == 0, metadata=labelled({"ages_out_of_range": out_of_range}))


@dg.asset_check(asset="young_worker_classification", description=describe("every_young_worker_classified"))
def every_young_worker_classified(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rules = load_rules()
    yc = YoungWorkerClassification
    workers = scalar(warehouse, select(func.count()).select_from(YoungWorker))
    current = scalar(warehouse, select(func.count()).select_from(yc).where(yc.rules_version == rules.version))
    stale = scalar(warehouse, select(func.count()).select_from(yc).where(yc.rules_version != rules.version))
    expected = workers * len(rules.rule_sets)
    return dg.AssetCheckResult(passed=current == expected and stale == 0,
                               metadata=labelled({"young_workers": workers, "classifications": current,
                                                  "expected": expected, "stale": stale,
                                                  "rules_version": rules.version}))
