"""The published indicator cells of the whole catalogue."""

import dagster as dg
from sqlalchemy import func, select

from dagster_project.metadata import table_metadata
from dagster_project.resources import WarehouseResource
from warehouse import indicators
from warehouse.classification import load_rules
from warehouse.models import IndicatorValue

UPSTREAM = ["child_classification", "young_worker_classification", "inspections", "activity_reach", "case_register",
            "administrative_units", "reference_populations", "targets"]


@dg.asset(group_name="indicators", deps=UPSTREAM, kinds={"python"},
          description="Every indicator (1.1 to 4.2) by source, area, period and disaggregation: numerator, "
                      "denominator, value, interval where it is a sample, target, gap and status.")
def indicator_values(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    settings = indicators.load_settings()
    cells = indicators.compute_cells(engine, settings, load_rules().version)
    published = indicators.publish(engine, cells)
    iv = IndicatorValue
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(iv.status, func.count()).where(iv.dimension == "total")
                                     .group_by(iv.status)).all())
    preview = (select(iv.indicator_id, iv.source, iv.rule_set, iv.period, iv.area_level, iv.area_code,
                      iv.code_list_version, iv.numerator, iv.denominator, iv.value, iv.target_comparator,
                      iv.target_value, iv.status)
               .where(iv.dimension == "total", iv.period_type == "year", iv.area_level != "commune")
               .order_by(iv.indicator_id, iv.source, iv.rule_set, iv.period, iv.area_level, iv.area_code))
    context.log.info("published %d cells", published)
    return dg.MaterializeResult(metadata={
        **table_metadata(engine, iv.__table__, preview),
        "cells_published": published,
        "cells_suppressed": int(cells["suppressed"].sum()),
        "status_of_totals": dg.MetadataValue.json(statuses),
        "settings_version": settings.version,
        "min_cell": settings.min_cell,
    })
