"""Checks of the published indicator cells."""

import dagster as dg
from sqlalchemy import func, or_, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from warehouse.schema.models import IndicatorValue


@dg.asset_check(asset="indicator_values", description=describe("indicator_cells_consistent"))
def indicator_cells_consistent(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    iv = IndicatorValue
    with warehouse.engine().connect() as conn:
        bad_values = conn.execute(select(func.count()).select_from(iv).where(
            iv.unit == "share", iv.value.is_not(None),
            or_(iv.value < 0, iv.value > 1, iv.ci_low > iv.value, iv.ci_high < iv.value))).scalar_one()
        leaking = conn.execute(select(func.count()).select_from(iv).where(
            iv.suppressed, or_(iv.numerator.is_not(None), iv.denominator.is_not(None), iv.value.is_not(None),
                               iv.status != "suppressed"))).scalar_one()
    return dg.AssetCheckResult(passed=bad_values == 0 and leaking == 0,
                               metadata=labelled({"values_outside_interval": bad_values,
                                                  "suppressed_with_numbers": leaking}))
