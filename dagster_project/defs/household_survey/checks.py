"""Data-quality checks of the household survey, next to its assets."""

import dagster as dg

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from dagster_project.table_checks import ages_plausible, classified, communes_valid, ids_unique, raw_accounted_for
from warehouse.classify.classify import CHILDREN
from warehouse.clean.household import FORM_ID
from warehouse.schema.clean_links import orphans
from warehouse.schema.models import Child, Household

households_accounted_for = raw_accounted_for("households", FORM_ID, Household, "household", "raw_rows_accounted_for")
households_ids_unique = ids_unique("households", Household.household_id, "household_ids_unique")
households_communes_valid = communes_valid("households", Household.commune_code, "commune_codes_valid")
children_ids_unique = ids_unique("children", Child.child_id, "child_ids_unique")
children_ages_plausible = ages_plausible("children", Child.age, "children_ages")
child_classification_complete = classified("child_classification", CHILDREN, "children", "every_child_classified")


@dg.asset_check(asset="children", description=describe("household_rows_linked"))
def household_rows_linked(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.engine().connect() as conn:
        missing = orphans(conn)
    return dg.AssetCheckResult(passed=not any(missing.values()),
                               metadata=labelled({f"orphans: {link}": count for link, count in missing.items()}))
