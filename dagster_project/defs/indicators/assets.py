"""The published indicator cells of the whole catalogue."""

import dagster as dg
from sqlalchemy import func, select

from dagster_project.messages import describe, labelled, listing, md_list, statuses, text
from dagster_project.metadata import table_metadata
from dagster_project.resources import WarehouseResource
from warehouse.classify.classification import load_rules
from warehouse.indicators import approval, disclosure, indicators
from warehouse.schema.models import IndicatorValue

UPSTREAM = ["child_classification", "young_worker_classification", "inspections", "activity_reach", "case_register",
            "administrative_units", "reference_populations", "targets", "sample_frame"]


@dg.asset(group_name="indicators", deps=UPSTREAM, kinds={"python"},
          description=describe("indicator_values"))
def indicator_values(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    settings = indicators.load_settings()
    refreshed = indicators.refresh(engine, settings, load_rules().version)
    iv = IndicatorValue
    with engine.connect() as conn:
        by_status = dict(conn.execute(select(iv.status, func.count()).where(iv.dimension == "total")
                                     .group_by(iv.status)).all())
        suppressed = conn.execute(select(func.count()).where(iv.suppressed)).scalar()
    preview = (select(iv.indicator_id, iv.source, iv.rule_set, iv.period, iv.area_level, iv.area_code,
                      iv.code_list_version, iv.numerator, iv.denominator, iv.value, iv.target_comparator,
                      iv.target_value, iv.status)
               .where(iv.dimension == "total", iv.period_type == "year", iv.area_level != "commune")
               .order_by(iv.indicator_id, iv.source, iv.rule_set, iv.period, iv.area_level, iv.area_code))
    written = refreshed.survey_cells + refreshed.other_cells
    context.log.info(text("log.indicators", cells=written, statuses=listing(statuses(by_status))))
    for reopened in refreshed.reopened:
        context.log.warning(reopened.message())
    with engine.connect() as conn:
        approved = conn.execute(select(func.count()).where(iv.approval == approval.APPROVED)).scalar()
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, iv.__table__, preview),
        "cells_written": written,
        "cells_suppressed": suppressed,
        "status_of_totals": dg.MetadataValue.json(statuses(by_status)),
        "settings_version": settings.version,
        "min_cell": disclosure.load_policy().min_count,
        "cells_approved": approved,
        "approvals_reopened": dg.MetadataValue.md(md_list(r.message() for r in refreshed.reopened)),
    }))
