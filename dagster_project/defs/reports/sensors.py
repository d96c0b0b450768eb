"""Registers a report partition for every province and commune (new, and old territories) with indicators."""

import dagster as dg

from dagster_project.defs.reports.partitions import report_areas
from dagster_project.messages import describe, text
from dagster_project.resources import WarehouseResource
from warehouse.admin_units import load_admin_units
from warehouse.report import areas_with_data


@dg.sensor(minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING,
           description=describe("report_area_partitions"))
def report_area_partitions(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    wanted = [area.key for area in areas_with_data(warehouse.engine(), load_admin_units().code_list_version)]
    known = set(context.instance.get_dynamic_partitions(report_areas.name))
    new = [key for key in wanted if key not in known]
    if not new:
        return dg.SkipReason(text("sensor.all_areas_known", n=len(wanted)))
    return dg.SensorResult(dynamic_partitions_requests=[report_areas.build_add_request(new)])
