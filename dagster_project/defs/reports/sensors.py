"""Registers a report partition for every province and commune (new, and old territories) with indicators."""

import dagster as dg

from dagster_project.defs.reports.partitions import report_areas
from dagster_project.resources import WarehouseResource
from warehouse.admin_units import load_admin_units
from warehouse.report import areas_with_data


@dg.sensor(minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Adds a report_area partition (province-20, commune-00004, legacy-province-89 …) for each "
                       "area with published indicators; it starts no run.")
def report_area_partitions(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    wanted = [area.key for area in areas_with_data(warehouse.engine(), load_admin_units().code_list_version)]
    known = set(context.instance.get_dynamic_partitions(report_areas.name))
    new = [key for key in wanted if key not in known]
    if not new:
        return dg.SkipReason(f"all {len(wanted)} areas with indicators have a report partition")
    return dg.SensorResult(dynamic_partitions_requests=[report_areas.build_add_request(new)])
