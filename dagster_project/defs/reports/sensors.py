"""Registers a report partition for every province and commune (new, and old territories) with indicators, and for
every year the targets name or the indicators have (``warehouse.report.report_years``)."""

import dagster as dg

from dagster_project.defs.reports.partitions import report_areas, report_years
from dagster_project.messages import describe, text
from dagster_project.resources import WarehouseResource
from warehouse.report import areas_with_data
from warehouse.report import report_years as years_of
from warehouse.schema.admin_units import load_admin_units


@dg.sensor(minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING,
           description=describe("report_area_partitions"))
def report_area_partitions(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    wanted = {report_areas: [area.key for area in areas_with_data(engine, load_admin_units().code_list_version)],
              report_years: [str(year) for year in years_of(engine)]}
    requests = []
    for partitions, keys in wanted.items():
        known = set(context.instance.get_dynamic_partitions(partitions.name))
        new = [key for key in keys if key not in known]
        if new:
            requests.append(partitions.build_add_request(new))
    if not requests:
        return dg.SkipReason(text("sensor.all_areas_known", n=len(wanted[report_areas]),
                                  years=len(wanted[report_years])))
    return dg.SensorResult(dynamic_partitions_requests=requests)
